using System.Globalization;

namespace EcomOps.Web.Model;

/// <summary>How result values and column types read on the Query page and in its CSV.</summary>
public static class QueryValues
{
    public static string Display(object? value) => value switch
    {
        null => "NULL",
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static bool IsNumericType(string type)
    {
        var t = type.ToLowerInvariant();
        return t.StartsWith("decimal", StringComparison.Ordinal) || t is "bigint" or "integer" or "int" or "smallint" or "tinyint"
            or "double" or "real" or "float" or "hugeint" or "ubigint" or "uinteger" || t.StartsWith("numeric", StringComparison.Ordinal);
    }

    public static bool IsDateType(string type)
    {
        var t = type.ToLowerInvariant();
        return t == "date" || t.StartsWith("timestamp", StringComparison.Ordinal);
    }
}
