using Cronos;

namespace EcomOps.Core.Pipeline;

/// <summary>A saved pipeline's schedule: a cron expression read in a time zone (Cronos).</summary>
public static class PipelineSchedule
{
    /// <summary>
    /// Parses a cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first.
    /// </summary>
    /// <exception cref="ArgumentException">It is not a cron expression; the message says what to write.</exception>
    public static CronExpression ParseCron(string cron)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
        try
        {
            return CronExpression.Parse(cron.Trim(), fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException(
                $"Schedule '{cron}' is not a cron expression ({e.Message}). Write 5 fields, minute hour day-of-month month day-of-week, such as '0 2 * * *' for 02:00 every day.",
                nameof(cron),
                e);
        }
    }

    /// <summary>Finds a time zone by its IANA name (<c>Europe/Paris</c>) or Windows id; <c>UTC</c> always works.</summary>
    /// <exception cref="ArgumentException">No such zone on this machine.</exception>
    public static TimeZoneInfo FindZone(string timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone) || string.Equals(timeZone.Trim(), "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"Unknown time zone '{timeZone}'. Use an IANA name such as Europe/Paris, America/New_York or UTC.", nameof(timeZone), e);
        }
    }

    /// <summary>The next <paramref name="count"/> times the schedule fires after <paramref name="after"/>, in the zone's local offset.</summary>
    /// <exception cref="ArgumentException">The expression or the zone is not valid.</exception>
    public static IReadOnlyList<DateTimeOffset> NextOccurrences(string cron, string timeZone, DateTimeOffset after, int count = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var expression = ParseCron(cron);
        var zone = FindZone(timeZone);
        var next = new List<DateTimeOffset>(count);
        var from = after;
        while (next.Count < count && expression.GetNextOccurrence(from, zone) is { } at)
        {
            next.Add(at);
            from = at;
        }

        return next;
    }

    /// <summary>
    /// The occurrence a schedule owes a run for at <paramref name="now"/>: the latest one at or before now that is
    /// later than <paramref name="since"/> (the last one fired, or when the schedule was set). However many were
    /// missed while EcomOps was down, that is one run.
    /// </summary>
    internal static DateTimeOffset? Due(string cron, string timeZone, DateTimeOffset since, DateTimeOffset now)
    {
        var latest = ParseCron(cron).GetPreviousOccurrence(now, FindZone(timeZone), inclusive: true);
        return latest is { } at && at > since ? at : null;
    }
}
