using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops convert</c>: the raw CSVs of one or all datasets to Parquet, as runs in the shared history.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var dataset = new Option<string?>("--dataset") { Description = "customer_data, catalog_data or transactions_data" };
        var all = new Option<bool>("--all") { Description = "Convert all three datasets" };
        var partitionBy = new Option<string?>("--partition-by") { Description = "month: transactions_data as year=YYYY/month=MM/" };
        var compression = new Option<ParquetCompression>("--compression") { Description = "snappy (default), zstd, gzip or none", DefaultValueFactory = _ => ParquetCompression.Snappy };
        var maxErrors = new Option<int>("--max-errors") { Description = "Bad rows allowed per dataset before the run fails and commits nothing", DefaultValueFactory = _ => 1_000 };
        var mode = new Option<ConversionMode>("--mode") { Description = "overwrite (default) or append", DefaultValueFactory = _ => ConversionMode.Overwrite };
        var rowGroupRows = new Option<int>("--row-group-rows")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"Rows per Parquet row group ({ConversionRequest.MinRowGroupRows:N0}..{ConversionRequest.MaxRowGroupRows:N0}); memory grows with it"),
            DefaultValueFactory = _ => ConversionRequest.DefaultRowGroupRows,
        };
        var command = new Command("convert", "Convert raw/<dataset>/*.csv to Parquet under parquet/<dataset>/")
        {
            dataset, all, partitionBy, compression, maxErrors, mode, rowGroupRows,
        };

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var name = parsed.GetValue(dataset);
            if (parsed.GetValue(all) == (name is not null))
            {
                await stderr.WriteLineAsync("error: give either --dataset NAME or --all.");
                return CliApp.UsageError;
            }

            var partition = parsed.GetValue(partitionBy);
            if (partition is not null && !string.Equals(partition, "month", StringComparison.OrdinalIgnoreCase))
            {
                await stderr.WriteLineAsync($"error: --partition-by takes 'month'; got '{partition}'.");
                return CliApp.UsageError;
            }

            var groupRows = parsed.GetValue(rowGroupRows);
            if (groupRows is < ConversionRequest.MinRowGroupRows or > ConversionRequest.MaxRowGroupRows)
            {
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"error: --row-group-rows takes {ConversionRequest.MinRowGroupRows:N0} to {ConversionRequest.MaxRowGroupRows:N0} rows; got {groupRows:N0}."));
                return CliApp.UsageError;
            }

            // Start-up (services, the ops database, the job runner) runs on one core; meanwhile the other loads and
            // compiles the CSV and Parquet code the conversion will run, which would otherwise hold up its first rows.
            using var warmUpCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var warmUp = Task.Run(
                async () =>
                {
                    foreach (var schema in name is null ? DatasetRegistry.All : DatasetRegistry.All.Where(d => d.Name == name))
                    {
                        await ParquetConverter.WarmUpAsync(schema, parsed.GetValue(compression), warmUpCancellation.Token);
                    }
                },
                CancellationToken.None);

            await using var services = CliApp.Services(parsed);
            var runner = services.GetRequiredService<IJobRunner>();
            var options = new ConversionOptions(parsed.GetValue(compression), partition is null ? Partitioning.None : Partitioning.Month, parsed.GetValue(mode), parsed.GetValue(maxErrors), groupRows);
            IReadOnlyList<JobRun> runs;
            try
            {
                runs = services.GetRequiredService<IConversionService>().StartConversion(options, name is null ? DatasetRegistry.All.Select(d => d.Name).ToList() : [name]);
            }
            catch (ArgumentException e)
            {
                await stderr.WriteLineAsync($"error: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.UsageError;
            }

            var finished = await RunWatcher.WaitAsync(runner, runs, stderr, cancellationToken);
            await warmUpCancellation.CancelAsync();
            await warmUp;
            foreach (var run in finished)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{run.Dataset}\t{run.Status}\t{run.Counts.RowsRead} rows read\t{run.Counts.RowsWritten} written\t{run.Counts.RowsRejected} rejected\t{run.Counts.BytesWritten} bytes\trun {run.Id}"));
                if (run.Error is not null)
                {
                    await stderr.WriteLineAsync($"{run.Dataset}: {TerminalText.Visible(run.Error, keepLines: true)}");
                }

                foreach (var quarantine in run.Outputs.Where(o => o.Location.StartsWith("quarantine/", StringComparison.Ordinal)))
                {
                    await stderr.WriteLineAsync($"{run.Dataset}: rejected rows are in {quarantine.Location} (ecomops lake preview {quarantine.Location})");
                }
            }

            return finished.All(r => r.Status == JobStatus.Succeeded) ? 0
                : finished.Any(r => r.Status == JobStatus.Cancelled) ? CliApp.Cancelled
                : CliApp.Failure;
        });
        return command;
    }
}
