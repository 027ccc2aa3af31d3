using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Jobs;
using EcomOps.Core.Query;
using EcomOps.Core.Warehouse;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops warehouse init|copy|loads|errors</c>: Redshift COPY into the warehouse, and its load history.</summary>
internal static class WarehouseCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) =>
        new("warehouse", "The warehouse: create its tables, load with Redshift COPY, see loads and rejected rows")
        {
            Init(stdout, stderr), Copy(stdout, stderr), Loads(stdout, stderr), Errors(stdout, stderr), Query(stdout, stderr),
        };

    private static Command Query(TextWriter stdout, TextWriter stderr)
    {
        var sql = new Option<string>("--sql") { Description = "One read-only query, such as SELECT * FROM stl_load_errors WHERE query = pg_last_copy_id()", Required = true };
        var format = new Option<string>("--format") { Description = "csv (default, with a header row), table or json", DefaultValueFactory = _ => "csv" };
        var maxRows = new Option<int?>("--max-rows") { Description = "At most this many rows (default 10000)" };
        var command = new Command("query", "One read-only query over the warehouse's tables and its load tables") { sql, format, maxRows };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var shape = parsed.GetValue(format)!.ToLowerInvariant();
            if (shape is not ("csv" or "table" or "json"))
            {
                await stderr.WriteLineAsync($"error: --format takes csv, table or json; got '{shape}'.");
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            try
            {
                // Through the query service, so the run is in the query history with the warehouse as its target.
                var result = await services.GetRequiredService<IQueryService>().RunAsync(
                    new QueryRunRequest(parsed.GetValue(sql)!, QuerySource.Cli, parsed.GetValue(maxRows), QueryTarget.Warehouse), cancellationToken);
                await QueryCommand.WriteAsync(stdout, result, shape);
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{result.Rows.Count:N0} rows{(result.Truncated ? " (more were there: --max-rows cut them)" : "")} in {result.Duration.TotalSeconds:0.000} s"));
                return 0;
            }
            catch (EcomOps.Core.Query.QueryRefusedException e)
            {
                await stderr.WriteLineAsync($"refused: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }
            catch (EcomOps.Core.Query.QueryFailedException e)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.Failure;
            }
        });
        return command;
    }

    private static Command Init(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("init", "Create the tables of sql/redshift_ddl.sql and the load tables, where missing");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var warehouse = services.GetRequiredService<IWarehouse>();
            var created = await warehouse.InitAsync(cancellationToken);
            foreach (var table in created)
            {
                await stdout.WriteLineAsync($"created {table}");
            }

            await stderr.WriteLineAsync(created.Count == 0 ? $"{warehouse.Name}: every table was there." : $"{warehouse.Name}: {created.Count} tables created.");
            return 0;
        });
        return command;
    }

    private static Command Copy(TextWriter stdout, TextWriter stderr)
    {
        var sql = new Option<string?>("--sql") { Description = "The COPY statement, as Redshift takes it" };
        var file = new Option<string?>("--file") { Description = "A file holding the COPY statement" };
        var command = new Command("copy", "Run one Redshift COPY into the warehouse as a run; its load id and counts on stdout") { sql, file };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var text = await CliApp.StatementAsync(parsed.GetValue(sql), parsed.GetValue(file), "COPY ...", stderr, cancellationToken);
            if (text is null)
            {
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            JobRun run;
            try
            {
                run = services.GetRequiredService<IWarehouseService>().StartLoad(text);
            }
            catch (CopyParseException e)
            {
                await stderr.WriteLineAsync($"refused: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }

            var finished = (await RunWatcher.WaitAsync(services.GetRequiredService<IJobRunner>(), [run], stderr, cancellationToken))[0];
            foreach (var result in finished.Results ?? [])
            {
                await (result.Name is "load (query id)" or "status" or "rows loaded" or "rows rejected" ? stdout : stderr).WriteLineAsync($"{result.Name}\t{result.Value}");
            }

            if (finished.Status != JobStatus.Succeeded)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(finished.Error, keepLines: true)} (run {finished.Id})");
                return finished.Status == JobStatus.Cancelled ? CliApp.Cancelled : CliApp.Failure;
            }

            return 0;
        });
        return command;
    }

    private static Command Loads(TextWriter stdout, TextWriter stderr)
    {
        var failed = new Option<bool>("--failed") { Description = "Only aborted and failed loads" };
        var since = new Option<DateTime?>("--since") { Description = "Only loads started on or after this date (UTC), such as 2026-12-01" };
        var table = new Option<string?>("--table") { Description = "Only loads into this table" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("loads", "The load history (sys_load_history), newest first") { failed, since, table, limit };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var loads = await services.GetRequiredService<IWarehouse>().LoadsAsync(
                new LoadFilter(Table: parsed.GetValue(table), Since: parsed.GetValue(since), FailedOnly: parsed.GetValue(failed), Limit: parsed.GetValue(limit)), cancellationToken);
            if (loads.Count == 0)
            {
                await stderr.WriteLineAsync("No loads yet.");
                return 0;
            }

            await stdout.WriteLineAsync($"{"QUERY_ID",8}  {"STARTED (UTC)",-19}  {"STATUS",-9}  {"TABLE",-26}  {"FORMAT",-7}  {"ROWS",11}  {"ERRORS",6}  {"SECONDS",8}  SOURCE");
            foreach (var load in loads)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{load.QueryId,8}  {load.StartTime:yyyy-MM-dd HH:mm:ss}  {load.Status,-9}  {load.TableName,-26}  {load.FileFormat,-7}  {load.LoadedRows,11:N0}  {load.ErrorCount,6:N0}  {load.Elapsed.TotalSeconds,8:0.000}  {load.DataSource}"));
            }

            return 0;
        });
        return command;
    }

    private static Command Errors(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<long>("LOAD_ID") { Description = "The load's query id (ecomops warehouse loads)" };
        var command = new Command("errors", "The rows a load rejected (stl_load_errors): file, line, column, value and reason") { id };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var warehouse = services.GetRequiredService<IWarehouse>();
            var queryId = parsed.GetValue(id);
            if (await warehouse.GetLoadAsync(queryId, cancellationToken) is null)
            {
                await stderr.WriteLineAsync($"error: no load {queryId}; ecomops warehouse loads lists them.");
                return CliApp.UsageError;
            }

            var errors = await warehouse.ErrorsAsync(queryId, cancellationToken);
            if (errors.Count == 0)
            {
                await stderr.WriteLineAsync($"Load {queryId} rejected no rows.");
                return 0;
            }

            await stdout.WriteLineAsync("FILE\tLINE\tCOLUMN\tTYPE\tVALUE\tCODE\tREASON");
            foreach (var error in errors)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{error.FileName}\t{error.LineNumber}\t{error.ColumnName}\t{error.ColumnType}\t{error.RawFieldValue}\t{error.ErrorCode}\t{error.ErrorReason}"));
            }

            return 0;
        });
        return command;
    }
}
