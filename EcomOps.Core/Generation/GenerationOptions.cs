using System.Globalization;

namespace EcomOps.Core.Generation;

/// <summary>
/// What to generate. Same options give byte-identical files: every row is a pure function of the seed,
/// the sizes and its id, so the output does not depend on threads or chunking.
/// </summary>
/// <param name="Customers">customer_data rows, 1..<see cref="GenerationLimits.MaxCustomers"/> (default 1,000).</param>
/// <param name="Products">catalog_data rows, 1..<see cref="GenerationLimits.MaxProducts"/> (default 200).</param>
/// <param name="Transactions">transactions_data rows, 1..<see cref="GenerationLimits.MaxTransactions"/> (default 10,000).</param>
/// <param name="Seed">Any 32-bit integer (default 42).</param>
/// <param name="StartDate">First possible SignupDate and transaction day (default 2024-01-01).</param>
/// <param name="EndDate">Last possible day, inclusive (default 2025-12-31); not before <paramref name="StartDate"/>.</param>
/// <param name="Locale">A Bogus locale for names and countries, such as <c>en</c>, <c>de</c>, <c>fr</c> (default <c>en</c>).</param>
public sealed record GenerationOptions(
    long Customers = GenerationLimits.DefaultCustomers,
    long Products = GenerationLimits.DefaultProducts,
    long Transactions = GenerationLimits.DefaultTransactions,
    int Seed = GenerationLimits.DefaultSeed,
    DateOnly? StartDate = null,
    DateOnly? EndDate = null,
    string Locale = GenerationLimits.DefaultLocale)
{
    public DateOnly Start => StartDate ?? GenerationLimits.DefaultStartDate;

    public DateOnly End => EndDate ?? GenerationLimits.DefaultEndDate;

    /// <summary>Rows to generate for a dataset.</summary>
    public long RowsFor(string dataset) => dataset switch
    {
        "customer_data" => Customers,
        "catalog_data" => Products,
        "transactions_data" => Transactions,
        _ => throw new ArgumentException($"Unknown dataset '{dataset}'.", nameof(dataset)),
    };

    /// <summary>Checks every field; an empty list means the options are valid.</summary>
    public IReadOnlyList<GenerationOptionError> Validate()
    {
        var errors = new List<GenerationOptionError>();
        CheckSize(errors, nameof(Customers), "customers", Customers, GenerationLimits.MaxCustomers);
        CheckSize(errors, nameof(Products), "products", Products, GenerationLimits.MaxProducts);
        CheckSize(errors, nameof(Transactions), "transactions", Transactions, GenerationLimits.MaxTransactions);
        if (Start < GenerationLimits.MinDate || Start > GenerationLimits.MaxDate)
        {
            errors.Add(new(nameof(StartDate), string.Create(CultureInfo.InvariantCulture, $"Start date {Start:yyyy-MM-dd} is outside {GenerationLimits.MinDate:yyyy-MM-dd}..{GenerationLimits.MaxDate:yyyy-MM-dd}.")));
        }

        if (End < GenerationLimits.MinDate || End > GenerationLimits.MaxDate)
        {
            errors.Add(new(nameof(EndDate), string.Create(CultureInfo.InvariantCulture, $"End date {End:yyyy-MM-dd} is outside {GenerationLimits.MinDate:yyyy-MM-dd}..{GenerationLimits.MaxDate:yyyy-MM-dd}.")));
        }
        else if (End < Start)
        {
            errors.Add(new(nameof(EndDate), string.Create(CultureInfo.InvariantCulture, $"End date {End:yyyy-MM-dd} is before start date {Start:yyyy-MM-dd}; pick an end on or after the start.")));
        }

        if (!Vocabulary.IsKnownLocale(Locale))
        {
            errors.Add(new(nameof(Locale), $"Unknown locale '{Locale}'. Use one of: {string.Join(", ", Vocabulary.Locales)}."));
        }

        return errors;
    }

    /// <summary>Throws <see cref="GenerationOptionsException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new GenerationOptionsException(errors);
        }
    }

    private static void CheckSize(List<GenerationOptionError> errors, string field, string noun, long value, long max)
    {
        if (value < 1 || value > max)
        {
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture,
                $"{char.ToUpperInvariant(noun[0])}{noun[1..]} must be between 1 and {max:N0}; got {value:N0}.")));
        }
    }
}

/// <summary>The documented bounds and defaults of <see cref="GenerationOptions"/>.</summary>
public static class GenerationLimits
{
    public const long DefaultCustomers = 1_000;
    public const long DefaultProducts = 200;
    public const long DefaultTransactions = 10_000;
    public const int DefaultSeed = 42;
    public const string DefaultLocale = "en";

    /// <summary>10 million customers (~0.7 GB of CSV).</summary>
    public const long MaxCustomers = 10_000_000;

    /// <summary>1 million products (~60 MB of CSV).</summary>
    public const long MaxProducts = 1_000_000;

    /// <summary>200 million transactions (~11 GB of CSV).</summary>
    public const long MaxTransactions = 200_000_000;

    /// <summary>The locales Bogus ships (en, de, fr, ja, ...), sorted.</summary>
    public static IReadOnlyList<string> Locales => Vocabulary.Locales;

    public static DateOnly DefaultStartDate { get; } = new(2024, 1, 1);

    public static DateOnly DefaultEndDate { get; } = new(2025, 12, 31);

    public static DateOnly MinDate { get; } = new(1970, 1, 1);

    public static DateOnly MaxDate { get; } = new(2099, 12, 31);
}

/// <summary>One invalid option: which field and what to do about it.</summary>
public sealed record GenerationOptionError(string Field, string Message);

/// <summary>Thrown when generation is asked for with invalid options; nothing has been written.</summary>
public sealed class GenerationOptionsException(IReadOnlyList<GenerationOptionError> errors)
    : ArgumentException(string.Join(Environment.NewLine, errors.Select(e => e.Message)))
{
    public IReadOnlyList<GenerationOptionError> Errors { get; } = errors;
}
