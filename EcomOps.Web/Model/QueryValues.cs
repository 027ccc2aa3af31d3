using EcomOps.Core.Query;

namespace EcomOps.Web.Model;

/// <summary>How result values and column types read on the Query page and in its CSV.</summary>
public static class QueryValues
{
    /// <summary>A value as the grid shows it: as Athena writes it for the column's type, and NULL for null.</summary>
    public static string Display(object? value, string type = "") => QueryValueText.Format(value, type) ?? "NULL";

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
