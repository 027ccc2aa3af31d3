using System.Globalization;

namespace EcomOps.Core.Overview;

/// <summary>The dashboard's addresses for runs, loads, lake folders and catalog tables, in one place.</summary>
internal static class OverviewLinks
{
    public static OverviewLink Jobs { get; } = new("Jobs", "/jobs");

    public static OverviewLink Run(Guid id, string? text = null) => new(text ?? "run " + Short(id), "/jobs?run=" + id.ToString("D"));

    public static OverviewLink Load(long queryId) =>
        new(string.Create(CultureInfo.InvariantCulture, $"load {queryId}"), string.Create(CultureInfo.InvariantCulture, $"/loads/{queryId}"));

    /// <summary>A lake folder (a prefix ending in '/', or "" for the root).</summary>
    public static OverviewLink Prefix(string prefix) => new(prefix.Length == 0 ? "lake" : prefix, "/lake?prefix=" + Uri.EscapeDataString(prefix));

    /// <summary>A lake object: the folder it is in, where Lake lists it.</summary>
    public static OverviewLink File(string key) => new(key, "/lake?prefix=" + Uri.EscapeDataString(key[..(key.LastIndexOf('/') + 1)]));

    public static OverviewLink Catalog(string database, string table) =>
        new($"{database}.{table}", $"/catalog/{Uri.EscapeDataString(database)}/{Uri.EscapeDataString(table)}");

    /// <summary>The first 8 hex digits of a run id: how messages name a run (its link carries the whole id).</summary>
    public static string Short(Guid id) => id.ToString("N")[..8];
}
