namespace EcomOps.Core.Datasets;

/// <summary>How a CSV header differs from a dataset's: empty lists and no reorder mean it matches exactly.</summary>
public sealed record HeaderComparison(
    DatasetSchema Dataset,
    IReadOnlyList<string> Header,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Found, string Expected)> Misspelt,
    bool OrderDiffers)
{
    public bool Matches => Missing.Count == 0 && Unexpected.Count == 0 && Misspelt.Count == 0 && !OrderDiffers && Duplicated.Count == 0;

    /// <summary>Names the header has more than once, each with its 1-based column positions.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<int> Columns)> Duplicated { get; } = [.. Header
        .Select((name, i) => (name, column: i + 1))
        .GroupBy(c => c.name, StringComparer.Ordinal)
        .Where(g => g.Count() > 1)
        .Select(g => (g.Key, (IReadOnlyList<int>)[.. g.Select(c => c.column)]))];

    /// <summary>Compares a header with a dataset's columns (names are case-sensitive, order matters).</summary>
    public static HeaderComparison Compare(DatasetSchema dataset, IReadOnlyList<string> header)
    {
        var expected = dataset.ColumnNames;
        var missing = expected.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
        var unexpected = header.Where(c => !expected.Contains(c, StringComparer.Ordinal)).ToList();
        var misspelt = new List<(string, string)>();
        foreach (var found in unexpected.ToList())
        {
            var match = missing.FirstOrDefault(m => string.Equals(m, found.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? missing.FirstOrDefault(m => Distance(m.ToUpperInvariant(), found.Trim().ToUpperInvariant()) <= 2);
            if (match is not null)
            {
                misspelt.Add((found, match));
                missing.Remove(match);
                unexpected.Remove(found);
            }
        }

        var orderDiffers = missing.Count == 0 && unexpected.Count == 0 && misspelt.Count == 0 && !header.SequenceEqual(expected, StringComparer.Ordinal);
        return new HeaderComparison(dataset, header, missing, unexpected, misspelt, orderDiffers);
    }

    /// <summary>What is wrong, in one sentence per problem, ending with the header that is expected.</summary>
    public string Describe()
    {
        // A repeated name first: it explains the column that is then missing.
        var parts = Duplicated.Select(d => $"'{d.Name}' is there {d.Columns.Count} times (columns {string.Join(" and ", d.Columns)})").ToList();
        if (Missing.Count > 0)
        {
            parts.Add($"missing {string.Join(", ", Missing)}");
        }

        if (Unexpected.Count > 0)
        {
            parts.Add($"unexpected {string.Join(", ", Unexpected.Select(u => $"'{u}'"))}");
        }

        parts.AddRange(Misspelt.Select(m => $"'{m.Found}' should be '{m.Expected}'"));
        if (OrderDiffers)
        {
            parts.Add($"the columns are in a different order ({string.Join(",", Header)})");
        }

        return $"{string.Join("; ", parts)}. {Dataset.Name} expects exactly: {Dataset.CsvHeader}";
    }

    /// <summary>Levenshtein distance, for spotting typos such as 'Emial' for 'Email'.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
