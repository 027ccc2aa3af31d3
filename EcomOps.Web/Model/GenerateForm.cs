using System.Globalization;
using EcomOps.Core.Datasets;
using EcomOps.Core.Generation;

namespace EcomOps.Web.Model;

/// <summary>
/// The Generate page's form: text as typed, turned into <see cref="GenerationOptions"/> with one message per
/// field. Parsing (is it a number?) lives here; the rules (bounds, date order, locale) are Core's.
/// </summary>
public sealed class GenerateForm
{
    private readonly Dictionary<string, string> _errors = [];

    public string Customers { get; set; } = Format.Count(GenerationLimits.DefaultCustomers);

    public string Products { get; set; } = Format.Count(GenerationLimits.DefaultProducts);

    public string Transactions { get; set; } = Format.Count(GenerationLimits.DefaultTransactions);

    public string Seed { get; set; } = GenerationLimits.DefaultSeed.ToString(CultureInfo.InvariantCulture);

    public string StartDate { get; set; } = GenerationLimits.DefaultStartDate.ToString(DatasetRegistry.DateFormat, CultureInfo.InvariantCulture);

    public string EndDate { get; set; } = GenerationLimits.DefaultEndDate.ToString(DatasetRegistry.DateFormat, CultureInfo.InvariantCulture);

    public string Locale { get; set; } = GenerationLimits.DefaultLocale;

    /// <summary>Messages by field name (<see cref="GenerationOptions"/> property names).</summary>
    public IReadOnlyDictionary<string, string> Errors => _errors;

    public string? ErrorFor(string field) => _errors.GetValueOrDefault(field);

    /// <summary>The options, or null with <see cref="Errors"/> filled in.</summary>
    public GenerationOptions? TryBuild()
    {
        _errors.Clear();
        var customers = ParseSize(nameof(GenerationOptions.Customers), "Customers", Customers);
        var products = ParseSize(nameof(GenerationOptions.Products), "Products", Products);
        var transactions = ParseSize(nameof(GenerationOptions.Transactions), "Transactions", Transactions);
        var seed = ParseSeed(Seed);
        var start = ParseDate(nameof(GenerationOptions.StartDate), "Start date", StartDate);
        var end = ParseDate(nameof(GenerationOptions.EndDate), "End date", EndDate);
        var options = new GenerationOptions(
            customers ?? GenerationLimits.DefaultCustomers,
            products ?? GenerationLimits.DefaultProducts,
            transactions ?? GenerationLimits.DefaultTransactions,
            seed ?? GenerationLimits.DefaultSeed,
            start,
            end,
            Locale.Trim());
        foreach (var error in options.Validate())
        {
            _errors.TryAdd(error.Field, error.Message);
        }

        return _errors.Count == 0 ? options : null;
    }

    /// <summary>Fills the form from a generation run's parameters, so a page shows what the last run used.</summary>
    public void LoadFrom(IReadOnlyDictionary<string, string> parameters)
    {
        Customers = Pretty(parameters.GetValueOrDefault("customers")) ?? Customers;
        Products = Pretty(parameters.GetValueOrDefault("products")) ?? Products;
        Transactions = Pretty(parameters.GetValueOrDefault("transactions")) ?? Transactions;
        Seed = parameters.GetValueOrDefault("seed") ?? Seed;
        StartDate = parameters.GetValueOrDefault("start") ?? StartDate;
        EndDate = parameters.GetValueOrDefault("end") ?? EndDate;
        Locale = parameters.GetValueOrDefault("locale") ?? Locale;
    }

    private static string? Pretty(string? number) =>
        long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Format.Count(n) : null;

    private long? ParseSize(string field, string label, string text)
    {
        // People type 10,000 or 10 000 or 10_000; all mean the same.
        var digits = text.Trim().Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _errors[field] = text.Trim().Length == 0
            ? $"{label} is required: a whole number of rows."
            : $"{label} must be a whole number of rows, such as 1,000; '{text.Trim()}' is not.";
        return null;
    }

    private int? ParseSeed(string text)
    {
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
        {
            return seed;
        }

        _errors[nameof(GenerationOptions.Seed)] = $"Seed must be a whole number between {int.MinValue:N0} and {int.MaxValue:N0}; '{text.Trim()}' is not.";
        return null;
    }

    private DateOnly? ParseDate(string field, string label, string text)
    {
        if (DateOnly.TryParseExact(text.Trim(), DatasetRegistry.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        _errors[field] = $"{label} must be a date as yyyy-MM-dd, such as 2024-01-31; '{text.Trim()}' is not.";
        return null;
    }
}
