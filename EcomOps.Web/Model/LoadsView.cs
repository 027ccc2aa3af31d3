using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Warehouse;
using MudBlazor;

namespace EcomOps.Web.Model;

/// <summary>The Loads page's filters as the user sets them, turned into a <see cref="LoadFilter"/>.</summary>
public sealed class LoadFilterForm
{
    public string? Status { get; set; }

    public string? Table { get; set; }

    public DateRange? Dates { get; set; }

    public bool FailedOnly { get; set; }

    /// <summary>The filter: the date range covers whole days (UTC, as <c>sys_load_history</c> keeps its times).</summary>
    public LoadFilter ToFilter() => new(
        Status,
        Table,
        Dates?.Start?.Date,
        Dates?.End?.Date.AddDays(1),
        FailedOnly);
}

/// <summary>How the Loads page shows a load's status and links it to its run.</summary>
public static class LoadsView
{
    public static readonly IReadOnlyList<string> Statuses = [LoadStatus.Running, LoadStatus.Completed, LoadStatus.Aborted, LoadStatus.Failed];

    public static Color StatusColor(string status) => status switch
    {
        LoadStatus.Completed => Color.Success,
        LoadStatus.Aborted => Color.Warning,
        LoadStatus.Failed => Color.Error,
        LoadStatus.Running => Color.Info,
        _ => Color.Default,
    };

    public static string Started(DateTime start) => start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// The load run that recorded this query id: a load run's results name its query id. The history's
    /// <c>copy_job_id</c> is a number and runs have GUIDs, so the link goes through the run's results instead.
    /// </summary>
    public static async Task<JobRun?> FindRunAsync(IJobRunner runner, long queryId, CancellationToken cancellationToken)
    {
        var id = queryId.ToString(CultureInfo.InvariantCulture);
        var runs = await runner.ListAsync(new JobRunFilter(Kind: JobKinds.Load, Limit: 1_000), cancellationToken);
        return runs.FirstOrDefault(r => r.Results?.Any(x => x.Name == LoadQueryIdResult && x.Value == id) == true);
    }

    /// <summary>
    /// The query ids of the loads that were NOLOAD checks, from their runs' parameters: <c>sys_load_history</c> records
    /// a check like a load (completed, 0 rows), and people need to tell them apart.
    /// </summary>
    public static async Task<IReadOnlySet<long>> NoLoadChecksAsync(IJobRunner runner, CancellationToken cancellationToken)
    {
        var runs = await runner.ListAsync(new JobRunFilter(Kind: JobKinds.Load, Limit: 1_000), cancellationToken);
        return runs.Where(r => r.Parameters.ContainsKey("noload"))
            .Select(r => r.Results?.FirstOrDefault(x => x.Name == LoadQueryIdResult)?.Value)
            .Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .ToHashSet();
    }

    /// <summary>The result line in which a load run names its <c>sys_load_history</c> query id.</summary>
    public const string LoadQueryIdResult = "load (query id)";
}

/// <summary>The series the Loads page charts, from the history it shows.</summary>
public static class LoadCharts
{
    /// <summary>Rows loaded per day (UTC), oldest day first; days without loads are left out.</summary>
    public static IReadOnlyList<(string Day, long Rows)> RowsPerDay(IEnumerable<LoadHistoryEntry> loads) =>
        loads.GroupBy(l => l.StartTime.Date)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.Sum(l => l.LoadedRows)))
            .ToList();

    /// <summary>Each finished load's duration in seconds by its start time, oldest first.</summary>
    public static IReadOnlyList<(DateTime Start, double Seconds, string Status)> Durations(IEnumerable<LoadHistoryEntry> loads) =>
        loads.Where(l => l.Status != LoadStatus.Running)
            .OrderBy(l => l.StartTime)
            .Select(l => (l.StartTime, l.Elapsed.TotalSeconds, l.Status))
            .ToList();
}

/// <summary>A rejected row's raw line split around its failing field, so the page can highlight the field.</summary>
public readonly record struct RawLineParts(string Before, string Field, string After)
{
    public bool HasField => Field.Length > 0;

    /// <summary>
    /// Finds <paramref name="fieldValue"/> in <paramref name="rawLine"/>: preferably where it stands as a whole field
    /// (after the line start, a delimiter or a quote and before one), else its first occurrence. When it is empty or
    /// not in the line, the whole line is <see cref="Before"/>.
    /// </summary>
    public static RawLineParts Split(string? rawLine, string? fieldValue)
    {
        var line = rawLine ?? "";
        var field = fieldValue ?? "";
        if (field.Length == 0)
        {
            return new(line, "", "");
        }

        var first = -1;
        for (var at = line.IndexOf(field, StringComparison.Ordinal); at >= 0; at = line.IndexOf(field, at + 1, StringComparison.Ordinal))
        {
            first = first < 0 ? at : first;
            var end = at + field.Length;
            if ((at == 0 || IsBoundary(line[at - 1])) && (end == line.Length || IsBoundary(line[end])))
            {
                return new(line[..at], field, line[end..]);
            }
        }

        return first < 0 ? new(line, "", "") : new(line[..first], field, line[(first + field.Length)..]);
    }

    private static bool IsBoundary(char c) => c is ',' or '|' or '\t' or ';' or '"' or '\'' or '\r' or '\n';
}
