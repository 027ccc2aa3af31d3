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
        var command = new Command("query", "Run one Athena-dialect query over the catalog's tables") { sql, file, format, maxRows };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var text = parsed.GetValue(sql);
            var path = parsed.GetValue(file);
            if ((text is null) == (path is null))
            {
                await stderr.WriteLineAsync("error: give either --sql \"...\" or --file FILE.");
                return CliApp.UsageError;
            }

            if (path is not null)
            {
                if (!File.Exists(path))
                {
                    await stderr.WriteLineAsync($"error: no file '{path}'.");
                    return CliApp.UsageError;
                }

                text = await File.ReadAllTextAsync(path, cancellationToken);
            }

            var shape = parsed.GetValue(format)!.ToLowerInvariant();
            if (shape is not ("csv" or "table" or "json"))
            {
                await stderr.WriteLineAsync($"error: --format takes csv, table or json; got '{shape}'.");
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            QueryResult result;
            try
            {
                result = await services.GetRequiredService<IQueryEngine>().RunAsync(text!, parsed.GetValue(maxRows), cancellationToken);
            }
            catch (QueryRefusedException e)
            {
                await stderr.WriteLineAsync($"refused: {e.Message}");
                return CliApp.UsageError;
            }
            catch (QueryFailedException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return CliApp.Failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync("cancelled.");
                return CliApp.Cancelled;
            }

            await WriteAsync(stdout, result, shape);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{result.Rows.Count:N0} rows{(result.Truncated ? " (more were there: the row limit cut them)" : "")} in {result.Duration.TotalSeconds:0.000} s"));
            return 0;
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter stdout, QueryResult result, string shape)
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
                var cells = result.Rows.Select(r => r.Select((v, i) => Text(v, result.Columns[i].Type)).ToArray()).ToList();
                var widths = result.Columns.Select((c, i) => Math.Max(c.Name.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
                await stdout.WriteLineAsync(string.Join("  ", result.Columns.Select((c, i) => c.Name.PadRight(widths[i]))).TrimEnd());
                foreach (var row in cells)
                {
                    await stdout.WriteLineAsync(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
                }

                break;
            default:
                await stdout.WriteLineAsync(string.Join(',', result.Columns.Select(c => Csv(c.Name))));
                foreach (var row in result.Rows)
                {
                    await stdout.WriteLineAsync(string.Join(',', row.Select((v, i) => Csv(Text(v, result.Columns[i].Type)))));
                }

                break;
        }
    }

    // Data out of the CLI is invariant: dates as ISO, decimals with '.', no thousands separators.
    private static string Text(object? value, string type) => value switch
    {
        null => "",
        DateTime d when type.Equals("DATE", StringComparison.OrdinalIgnoreCase) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static object? Json(object? value, string type) => value switch
    {
        null or bool or string or long or int or double or decimal => value,
        _ => Text(value, type),
    };

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
