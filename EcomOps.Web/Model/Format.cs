using System.Globalization;

namespace EcomOps.Web.Model;

/// <summary>How numbers, sizes and durations read on every page.</summary>
public static class Format
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB"];

    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < Units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {Units[unit]}");
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1_000_000:0.00} M"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1_000:0.0} k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0}"),
    };

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "",
        { TotalSeconds: < 1 } d => string.Create(CultureInfo.InvariantCulture, $"{d.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } d => string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.0} s"),
        { TotalHours: < 1 } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes}m {d.Seconds:00}s"),
        { } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}h {d.Minutes:00}m"),
    };

    /// <summary>"12.3 MB scanned", or "not known" when the engine did not say.</summary>
    public static string Scanned(long? bytes) => bytes is { } b ? $"{Bytes(b)} scanned" : "scanned: not known";

    /// <summary>
    /// A dollar amount as small as Athena's cheapest query ($0.000048 for its 10 MB minimum), with up to six decimals as
    /// the builder's scan estimate shows it; "not known" when null.
    /// </summary>
    public static string Usd(decimal? amount) => amount is { } a
        ? string.Create(CultureInfo.InvariantCulture, $"${a:0.00####}")
        : "cost not known";
}
