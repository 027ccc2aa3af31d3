using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Query;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops query</c>: one Athena-dialect query over the catalog's tables; rows on stdout, statistics on stderr.</summary>
internal static class QueryCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var sql = new Option<string?>("--sql") { Description = "The query, in the Athena (Trino) dialect" };
        var file = new Option<string?>("--file") { Description = "A file holding the query" };
        var format = new Option<string>("--format") { Description = "csv (default, with a header row), table or json (one object a row)", DefaultValueFactory = _ => "csv" };
        var maxRows = new Option<int?>("--max-rows") { Description = "At most this many rows (capped by EcomOps:Query:MaxRows)" };
        var command = new Command("query", "Run one Athena-dialect query over the catalog's tables; history and saved queries")
        {
            sql, file, format, maxRows, History(stdout, stderr), Saved(stdout, stderr),
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var text = await CliApp.StatementAsync(parsed.GetValue(sql), parsed.GetValue(file), "...", stderr, cancellationToken);
            if (text is null)
            {
                return CliApp.UsageError;
            }

            var shape = parsed.GetValue(format)!.ToLowerInvariant();
            if (shape is not ("csv" or "table" or "json"))
            {
                await stderr.WriteLineAsync($"error: --format takes csv, table or json; got '{shape}'.");
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            return await RunAsync(services, text, QuerySource.Cli, parsed.GetValue(maxRows), shape, stdout, stderr, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(IServiceProvider services, string text, QuerySource source, int? maxRows, string shape, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, QueryTarget target = QueryTarget.Lake)
    {
        QueryResult result;
        try
        {
            result = await services.GetRequiredService<IQueryService>().RunAsync(new QueryRunRequest(text, source, maxRows, target), cancellationToken);
        }
        catch (QueryRefusedException e)
        {
            await stderr.WriteLineAsync($"refused: {TerminalText.Visible(e.Message, keepLines: true)}");
            return CliApp.UsageError;
        }
        catch (QueryFailedException e)
        {
            await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
            return CliApp.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("cancelled.");
            return CliApp.Cancelled;
        }

        await WriteAsync(stdout, result, shape);
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{result.Rows.Count:N0} rows{(result.Truncated ? " (more were there: the row limit cut them)" : "")} in {result.Duration.TotalSeconds:0.000} s{(result.BytesScanned is { } bytes ? $", {bytes:N0} bytes scanned, ${result.CostUsd:0.000000} on Athena" : "")}"));
        return 0;
    }

    private static Command History(TextWriter stdout, TextWriter stderr)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("history", "Queries run from the dashboard and the CLI, newest first") { limit };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var entries = await services.GetRequiredService<IQueryService>().HistoryAsync(parsed.GetValue(limit), cancellationToken);
            if (entries.Count == 0)
            {
                await stderr.WriteLineAsync("No queries yet.");
                return 0;
            }

            await stdout.WriteLineAsync($"{"STARTED (UTC)",-19}  {"STATUS",-9}  {"SECONDS",8}  {"ROWS",9}  {"BY",-6}  {"ON",-9}  SQL");
            foreach (var entry in entries)
            {
                var oneLine = TerminalText.Visible(string.Join(' ', entry.Sql.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {entry.Status,-9}  {entry.Duration.TotalSeconds,8:0.000}  {entry.Rows,9:N0}  {TerminalText.Visible(entry.User),-6}  {entry.Target,-9}  {(oneLine.Length > 100 ? oneLine[..97] + "..." : oneLine)}"));
            }

            return 0;
        });
        return command;
    }

    private static Command Saved(TextWriter stdout, TextWriter stderr)
    {
        var search = new Option<string?>("--search") { Description = "Only those whose name, description or SQL contain this" };
        var list = new Command("ls", "Saved queries by name") { search };
        list.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            foreach (var query in await services.GetRequiredService<IQueryService>().SavedAsync(parsed.GetValue(search), cancellationToken))
            {
                await stdout.WriteLineAsync($"{TerminalText.Visible(query.Name)}\t{query.Target}\t{TerminalText.Visible(query.Description)}");
            }

            return 0;
        });

        var showName = new Argument<string>("NAME") { Description = "The saved query's name (case does not matter)" };
        var show = new Command("show", "A saved query's description and SQL") { showName };
        show.SetAction((parsed, cancellationToken) => WithSavedAsync(parsed, showName, stderr, async (_, query) =>
        {
            await stdout.WriteLineAsync($"-- {TerminalText.Visible(query.Name)}");
            await stdout.WriteLineAsync($"-- {TerminalText.Visible(query.Description)}");
            await stdout.WriteLineAsync(TerminalText.Visible(query.Sql, keepLines: true) + ";");
            return 0;
        }, cancellationToken));

        var runName = new Argument<string>("NAME") { Description = "The saved query's name (case does not matter)" };
        var format = new Option<string>("--format") { Description = "csv (default), table or json", DefaultValueFactory = _ => "csv" };
        var run = new Command("run", "Run a saved query") { runName, format };
        run.SetAction((parsed, cancellationToken) => WithSavedAsync(parsed, runName, stderr, (services, query) =>
            RunAsync(services, query.Sql, QuerySource.Saved, null, parsed.GetValue(format)!.ToLowerInvariant(), stdout, stderr, cancellationToken, query.Target), cancellationToken));

        return new Command("saved", "Saved queries: ls, show, run") { list, show, run };
    }

    private static async Task<int> WithSavedAsync(ParseResult parsed, Argument<string> name, TextWriter stderr, Func<IServiceProvider, SavedQuery, Task<int>> action, CancellationToken cancellationToken)
    {
        await using var services = CliApp.Services(parsed);
        var service = services.GetRequiredService<IQueryService>();
        var query = await service.GetSavedAsync(parsed.GetValue(name)!, cancellationToken);
        if (query is null)
        {
            var names = (await service.SavedAsync(null, cancellationToken)).Select(q => q.Name);
            await stderr.WriteLineAsync($"error: no saved query '{parsed.GetValue(name)}'. Saved: {string.Join("; ", names)}.");
            return CliApp.UsageError;
        }

        return await action(services, query);
    }

    internal static async Task WriteAsync(TextWriter stdout, QueryResult result, string shape)
    {
        switch (shape)
        {
            case "json":
                foreach (var row in result.Rows)
                {
                    var record = result.Columns.Select((c, i) => (c.Name, Value: row[i], c.Type)).ToDictionary(x => x.Name, x => Json(x.Value, x.Type));
                    await stdout.WriteLineAsync(JsonSerializer.Serialize(record));
                }

                break;
            case "table":
                // The table is for reading on a terminal; csv and json are data, printed as they are (json escapes controls itself).
                var cells = result.Rows.Select(r => r.Select((v, i) => TerminalText.Visible(Text(v, result.Columns[i].Type))).ToArray()).ToList();
                var widths = result.Columns.Select((c, i) => Math.Max(c.Name.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
                await stdout.WriteLineAsync(string.Join("  ", result.Columns.Select((c, i) => c.Name.PadRight(widths[i]))).TrimEnd());
                foreach (var row in cells)
                {
                    await stdout.WriteLineAsync(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
                }

                break;
            default:
                var csv = new QueryCsvWriter(stdout, newLine: "\n");
                await csv.StartAsync(result.Columns, CancellationToken.None);
                foreach (var row in result.Rows)
                {
                    await csv.WriteAsync(row, CancellationToken.None);
                }

                break;
        }
    }

    // Data out of the CLI is as Athena writes it, in invariant culture: dates as ISO, decimals with their scale.
    private static string Text(object? value, string type) => QueryValueText.Format(value, type) ?? "";

    private static object? Json(object? value, string type) => value switch
    {
        null or bool or string or long or int or double => value,

        // A JSON number with the column's scale: 12.50 stays 12.50.
        decimal => decimal.Parse(Text(value, type), CultureInfo.InvariantCulture),
        _ => Text(value, type),
    };
}
