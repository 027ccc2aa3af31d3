using System.Text.RegularExpressions;
using EcomOps.Core.Catalog;

namespace EcomOps.Web.Model;

/// <summary>What a completion offers: its text, what it is, and a line about it.</summary>
public sealed record SqlCompletion(string Label, SqlCompletionKind Kind, string Detail)
{
    public string InsertText => Label;
}

public enum SqlCompletionKind
{
    Database,
    Table,
    Column,
}

/// <summary>
/// Completion of the catalog's names in the SQL editor: after <c>ecom.</c> the database's tables, after a table's name
/// (or an alias given in FROM/JOIN) its columns, and otherwise <c>database.table</c>, bare table names and every column.
/// </summary>
public sealed partial class SqlCompletions(IReadOnlyList<CatalogTable> tables)
{
    public static SqlCompletions Empty { get; } = new([]);

    /// <summary>The completions at the cursor; <paramref name="textBeforeCursor"/> is the statement up to the cursor.</summary>
    public IReadOnlyList<SqlCompletion> At(string textBeforeCursor, string fullText = "")
    {
        ArgumentNullException.ThrowIfNull(textBeforeCursor);
        var qualified = Qualifier().Match(textBeforeCursor);
        if (qualified.Success)
        {
            var first = qualified.Groups["first"].Value;
            if (qualified.Groups["second"].Success)
            {
                return ColumnsOf(tables.Where(t => Same(t.Database, first) && Same(t.Name, qualified.Groups["second"].Value)));
            }

            var ofDatabase = tables.Where(t => Same(t.Database, first)).ToList();
            if (ofDatabase.Count > 0)
            {
                return [.. ofDatabase.Select(t => new SqlCompletion(t.Name, SqlCompletionKind.Table, Describe(t)))];
            }

            return ColumnsOf(Resolve(first, fullText.Length > 0 ? fullText : textBeforeCursor));
        }

        var all = new List<SqlCompletion>();
        all.AddRange(tables.Select(t => t.Database).Distinct(StringComparer.OrdinalIgnoreCase).Select(d => new SqlCompletion(d, SqlCompletionKind.Database, "database")));
        all.AddRange(tables.Select(t => new SqlCompletion($"{t.Database}.{t.Name}", SqlCompletionKind.Table, Describe(t))));
        all.AddRange(tables.Select(t => new SqlCompletion(t.Name, SqlCompletionKind.Table, Describe(t))));
        all.AddRange(tables
            .SelectMany(t => Columns(t).Select(c => (Column: c, Table: t.Name)))
            .GroupBy(c => c.Column.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => new SqlCompletion(g.First().Column.Name, SqlCompletionKind.Column, $"{g.First().Column.Type} · {string.Join(", ", g.Select(c => c.Table).Distinct())}")));
        return [.. all.DistinctBy(c => (c.Label.ToLowerInvariant(), c.Kind))];
    }

    // The tables a qualifier names: a table by its own name, or one given that alias in FROM or JOIN.
    private IEnumerable<CatalogTable> Resolve(string qualifier, string text)
    {
        var byName = tables.Where(t => Same(t.Name, qualifier)).ToList();
        if (byName.Count > 0)
        {
            return byName;
        }

        foreach (Match from in Aliased().Matches(text))
        {
            if (Same(from.Groups["alias"].Value, qualifier))
            {
                var database = from.Groups["database"].Success ? from.Groups["database"].Value : null;
                return tables.Where(t => Same(t.Name, from.Groups["table"].Value) && (database is null || Same(t.Database, database)));
            }
        }

        return [];
    }

    private static List<SqlCompletion> ColumnsOf(IEnumerable<CatalogTable> matches) =>
        [.. matches.SelectMany(t => Columns(t).Select(c => new SqlCompletion(c.Name, SqlCompletionKind.Column, $"{c.Type} · {t.Name}"))).DistinctBy(c => c.Label.ToLowerInvariant())];

    private static IEnumerable<CatalogColumn> Columns(CatalogTable table) => table.Columns.Concat(table.PartitionKeys);

    private static string Describe(CatalogTable table) => $"table · {table.Columns.Count + table.PartitionKeys.Count} columns";

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    // "first." or "first.second." right before the cursor, with the word being typed after it.
    [GeneratedRegex(@"(?<![\w.])(?<first>[A-Za-z_]\w*)\.(?:(?<second>[A-Za-z_]\w*)\.)?\w*$")]
    private static partial Regex Qualifier();

    [GeneratedRegex(@"\b(?:from|join)\s+(?:(?<database>[A-Za-z_]\w*)\.)?(?<table>[A-Za-z_]\w*)\s+(?:as\s+)?(?<alias>(?!(?:where|group|order|on|join|left|right|inner|cross|limit|having|union|full)\b)[A-Za-z_]\w*)", RegexOptions.IgnoreCase)]
    private static partial Regex Aliased();
}
