using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;
using EcomOps.Core.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops generate</c>: writes the three synthetic datasets.</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var customers = new Option<long>("--customers") { Description = $"customer_data rows (1..{GenerationLimits.MaxCustomers:N0})", DefaultValueFactory = _ => GenerationLimits.DefaultCustomers };
        var products = new Option<long>("--products") { Description = $"catalog_data rows (1..{GenerationLimits.MaxProducts:N0})", DefaultValueFactory = _ => GenerationLimits.DefaultProducts };
        var transactions = new Option<long>("--transactions") { Description = $"transactions_data rows (1..{GenerationLimits.MaxTransactions:N0})", DefaultValueFactory = _ => GenerationLimits.DefaultTransactions };
        var seed = new Option<int>("--seed") { Description = "Random seed; same seed and sizes give the same bytes", DefaultValueFactory = _ => GenerationLimits.DefaultSeed };
        var start = new Option<string?>("--start") { Description = $"First day, yyyy-MM-dd (default {GenerationLimits.DefaultStartDate:yyyy-MM-dd})" };
        var end = new Option<string?>("--end") { Description = $"Last day, inclusive, yyyy-MM-dd (default {GenerationLimits.DefaultEndDate:yyyy-MM-dd})" };
        var locale = new Option<string>("--locale") { Description = "Bogus locale for names and countries (en, de, fr, ...)", DefaultValueFactory = _ => GenerationLimits.DefaultLocale };
        var output = new Option<string?>("--out") { Description = "Write <dataset>.csv files to this folder instead of the lake's raw/" };

        var command = new Command("generate", "Generate customer_data, catalog_data and transactions_data CSVs")
        {
            customers, products, transactions, seed, start, end, locale, output,
        };

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var errors = new List<string>();
            var startDate = ParseDate(parsed.GetValue(start), "--start", errors);
            var endDate = ParseDate(parsed.GetValue(end), "--end", errors);
            var options = new GenerationOptions(
                parsed.GetValue(customers),
                parsed.GetValue(products),
                parsed.GetValue(transactions),
                parsed.GetValue(seed),
                startDate,
                endDate,
                parsed.GetValue(locale) ?? GenerationLimits.DefaultLocale);
            // A date that did not parse was replaced by the default; comparing that default would only confuse.
            var dateUnparsed = errors.Count > 0;
            errors.AddRange(options.Validate()
                .Where(e => !dateUnparsed || e.Field is not (nameof(GenerationOptions.StartDate) or nameof(GenerationOptions.EndDate)))
                .Select(e => e.Message));
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await stderr.WriteLineAsync($"error: {error}");
                }

                await stderr.WriteLineAsync("Nothing was written.");
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            var runner = services.GetRequiredService<IJobRunner>();

            // As a job, so command-line runs are in the same history as the dashboard's.
            var run = services.GetRequiredService<IGenerationService>().StartGeneration(options, parsed.GetValue(output));
            var done = (await RunWatcher.WaitAsync(runner, [run], stderr, cancellationToken))[0];
            switch (done.Status)
            {
                case JobStatus.Succeeded:
                    foreach (var file in done.Outputs)
                    {
                        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{file.Location}\t{file.Rows} rows\t{file.Bytes} bytes"));
                    }

                    await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Done in {done.Duration(DateTimeOffset.UtcNow)?.TotalSeconds:0.00} s (run {done.Id})."));
                    return 0;
                case JobStatus.Cancelled:
                    await stderr.WriteLineAsync("Cancelled; the previous files are as they were.");
                    return CliApp.Cancelled;
                default:
                    await stderr.WriteLineAsync($"error: {TerminalText.Visible(done.Error, keepLines: true)}");
                    return CliApp.Failure;
            }
        });
        return command;
    }

    private static DateOnly? ParseDate(string? text, string option, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, DatasetRegistry.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add($"{option} must be a date as yyyy-MM-dd, such as 2024-01-31; '{text}' is not.");
        return null;
    }
}
