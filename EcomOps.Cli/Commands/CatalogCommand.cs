using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Catalog;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops crawl</c> and <c>ecomops catalog ls|show</c>: the crawler and the Data Catalog.</summary>
internal static class CatalogCommand
{
    public static Command Crawl(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Option<string[]>("--path") { Description = "A lake prefix to crawl (repeatable; default parquet/). raw/ crawls the CSVs as raw_<folder> tables", AllowMultipleArgumentsPerToken = false };
        var exclude = new Option<string[]>("--exclude") { Description = "A glob of keys to skip (repeatable), such as **/tmp/** or *.crc" };
        var policy = new Option<SchemaChangePolicy>("--policy") { Description = "On a schema or partition change: update (default) or log", DefaultValueFactory = _ => SchemaChangePolicy.Update };
        var onDelete = new Option<DeletePolicy>("--on-delete") { Description = "When a table's folder is gone: deprecate (default), delete or log", DefaultValueFactory = _ => DeletePolicy.Deprecate };
        var database = new Option<string>("--database") { Description = "The catalog database (default ecom)", DefaultValueFactory = _ => CrawlOptions.DefaultDatabase };
        var command = new Command("crawl", "Crawl the lake's Parquet (and CSV) into the Data Catalog; a summary line per table")
        {
            paths, exclude, policy, onDelete, database,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var options = new CrawlOptions(parsed.GetValue(paths), parsed.GetValue(exclude), parsed.GetValue(policy), parsed.GetValue(onDelete), parsed.GetValue(database)!);
            JobRun run;
            try
            {
                run = services.GetRequiredService<ICatalogService>().StartCrawl(options);
            }
            catch (ArgumentException e)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }

            var finished = (await RunWatcher.WaitAsync(services.GetRequiredService<IJobRunner>(), [run], stderr, cancellationToken))[0];
            if (finished.Status != JobStatus.Succeeded)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(finished.Error, keepLines: true)} (run {finished.Id})");
                return finished.Status == JobStatus.Cancelled ? CliApp.Cancelled : CliApp.Failure;
            }

            // One line a table on stdout (tab-separated, for scripts); counts and skipped files on stderr.
            var results = finished.Results ?? [];
            foreach (var table in results.Where(r => r.Name.StartsWith("table ", StringComparison.Ordinal)))
            {
                await stdout.WriteLineAsync($"{options.Database}.{table.Name["table ".Length..]}\t{table.Value}");
            }

            foreach (var line in results.Where(r => !r.Name.StartsWith("table ", StringComparison.Ordinal)))
            {
                await stderr.WriteLineAsync($"{line.Name}: {line.Value}");
            }

            if (!results.Any(r => r.Name.StartsWith("table ", StringComparison.Ordinal)))
            {
                await stderr.WriteLineAsync($"No tables: nothing to crawl under {string.Join(", ", options.EffectiveIncludePaths)}. Generate and convert data first (ecomops generate, ecomops convert --all).");
            }

            return 0;
        });
        return command;
    }

    public static Command Catalog(TextWriter stdout, TextWriter stderr) => new("catalog", "The Data Catalog: tables, columns, partitions and versions")
    {
        List(stdout, stderr),
        Show(stdout, stderr),
    };

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var database = new Option<string?>("--database") { Description = "Only this database's tables" };
        var command = new Command("ls", "List tables with classification, rows, size and partitions") { database };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var catalog = services.GetRequiredService<ICatalog>();
            var tables = await catalog.ListTablesAsync(parsed.GetValue(database), cancellationToken);
            if (tables.Count == 0)
            {
                await stderr.WriteLineAsync("No tables. Run 'ecomops crawl' after converting data to Parquet.");
                return 0;
            }

            await stdout.WriteLineAsync($"{"TABLE",-32}  {"CLASS",-7}  {"ROWS",12}  {"SIZE",12}  {"FILES",6}  {"PARTITIONS",10}  {"VERSION",7}  STATUS");
            foreach (var table in tables)
            {
                var partitions = table.PartitionKeys.Count == 0 ? "-" : (await catalog.GetPartitionsAsync(table.Database, table.Name, cancellationToken)).Count.ToString(CultureInfo.InvariantCulture);
                var status = table.Status == TableStatus.Deprecated ? "deprecated" : table.PendingChange is not null ? "change not applied" : "active";
                await stdout.WriteLineAsync(Invariant(
                    $"{table.FullName,-32}  {table.Classification,-7}  {table.RecordCount,12:N0}  {table.SizeKey,12:N0}  {table.ObjectCount,6:N0}  {partitions,10}  {table.Version,7}  {status}"));
            }

            return 0;
        });
        return command;
    }

    private static Command Show(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("TABLE") { Description = "A table, as NAME or DATABASE.NAME (database ecom by default)" };
        var versions = new Option<bool>("--versions") { Description = "Also every version and what changed in it" };
        var command = new Command("show", "Show a table: columns with types, partition keys, partitions") { name, versions };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using var services = CliApp.Services(parsed);
            var catalog = services.GetRequiredService<ICatalog>();
            var given = parsed.GetValue(name)!;
            var (db, tableName) = given.Contains('.', StringComparison.Ordinal) ? (given[..given.IndexOf('.', StringComparison.Ordinal)], given[(given.IndexOf('.', StringComparison.Ordinal) + 1)..]) : (CrawlOptions.DefaultDatabase, given);
            var table = await catalog.GetTableAsync(db, tableName, cancellationToken);
            if (table is null)
            {
                var known = await catalog.ListTablesAsync(null, cancellationToken);
                await stderr.WriteLineAsync($"error: no table {db}.{tableName}. {(known.Count == 0 ? "The catalog is empty: run 'ecomops crawl'." : "Tables: " + string.Join(", ", known.Select(t => t.FullName)) + ".")}");
                return CliApp.UsageError;
            }

            await stdout.WriteLineAsync(Invariant($"""
                Table:          {table.FullName}
                Location:       {table.Location}
                Classification: {table.Classification}
                Compression:    {table.Compression}
                Rows:           {table.RecordCount:N0} (recordCount)
                Size:           {table.SizeKey:N0} bytes in {table.ObjectCount:N0} files (averageRecordSize {table.AverageRecordSize:N0})
                Status:         {table.Status}, version {table.Version}
                Last crawl:     {table.LastCrawledAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, run {table.LastCrawlRunId}
                """));
            if (table.PendingChange is not null)
            {
                await stdout.WriteLineAsync($"Not applied:    {table.PendingChange}");
            }

            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync($"{"COLUMN",-24}  {"TYPE",-16}  SOURCE");
            foreach (var column in table.Columns)
            {
                await stdout.WriteLineAsync($"{column.Name,-24}  {column.Type,-16}  {column.SourceName} ({column.SourceType})");
            }

            foreach (var key in table.PartitionKeys)
            {
                await stdout.WriteLineAsync($"{key.Name,-24}  {key.Type,-16}  partition key");
            }

            var partitions = await catalog.GetPartitionsAsync(table.Database, table.Name, cancellationToken);
            if (partitions.Count > 0)
            {
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync($"{"PARTITION",-32}  {"ROWS",12}  {"FILES",6}  {"SIZE",12}");
                foreach (var partition in partitions)
                {
                    var values = string.Join('/', table.PartitionKeys.Zip(partition.Values, (k, v) => $"{k.Name}={v}"));
                    await stdout.WriteLineAsync(Invariant($"{values,-32}  {partition.RecordCount,12:N0}  {partition.ObjectCount,6:N0}  {partition.SizeBytes,12:N0}"));
                }
            }

            if (parsed.GetValue(versions))
            {
                await stdout.WriteLineAsync();
                foreach (var version in await catalog.GetVersionsAsync(table.Database, table.Name, cancellationToken))
                {
                    await stdout.WriteLineAsync(Invariant($"Version {version.Version}  {version.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC  run {version.RunId}"));
                    foreach (var change in version.Changes)
                    {
                        await stdout.WriteLineAsync($"  {change}");
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
