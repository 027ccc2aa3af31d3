using System.Globalization;
using System.Text;
using EcomOps.Core.Query;

namespace EcomOps.Web.Model;

/// <summary>A result as CSV (RFC 4180, invariant culture, ISO dates), for the download link.</summary>
public static class QueryCsv
{
    public static string Write(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        csv.AppendJoin(',', result.Columns.Select(c => Quote(c.Name))).Append("\r\n");
        foreach (var row in result.Rows)
        {
            csv.AppendJoin(',', row.Select(v => v is null ? "" : Quote(Text(v)))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>The CSV as a <c>data:</c> URL an anchor with <c>download</c> saves without any script.</summary>
    public static string DataUrl(QueryResult result) =>
        "data:text/csv;charset=utf-8;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(Write(result)));

    private static string Text(object value) => value switch
    {
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        _ => QueryValues.Display(value),
    };

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
