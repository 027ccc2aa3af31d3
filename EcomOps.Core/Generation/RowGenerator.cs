using System.Text;
using CsvHelper;
using EcomOps.Core.Datasets;

namespace EcomOps.Core.Generation;

/// <summary>
/// Writes rows of the three datasets straight into a <see cref="CsvWriter"/>. Each row is a pure function
/// of (options, id): transactions regenerate the few customer and product facts they need (signup day,
/// country, price) from the same streams instead of reading them back.
/// </summary>
internal sealed class RowGenerator
{
    private const ulong CustomerStream = 0xC0570E12;
    private const ulong ProductStream = 0x9A0D0C75;
    private const ulong TransactionStream = 0x7AA45AC7;
    private const long SecondsPerDay = 86_400;

    // Log-uniform prices between these, in cents: many cheap products, a few expensive ones.
    private static readonly double MinLogPrice = Math.Log(100);
    private static readonly double LogPriceSpan = Math.Log(100_000) - MinLogPrice;

    private readonly GenerationOptions _options;
    private readonly int _startDay;
    private readonly int _days;
    private readonly int _endDayExclusive;
    private readonly byte[][] _firstNames;
    private readonly byte[][] _lastNames;
    private readonly byte[][] _firstSlugs;
    private readonly byte[][] _lastSlugs;
    private readonly byte[][] _domains;
    private readonly byte[][] _countries;
    private readonly byte[][] _adjectives;
    private readonly byte[][] _materials;
    private readonly byte[][] _nouns;
    private readonly byte[][] _categories;

    public RowGenerator(GenerationOptions options)
    {
        options.EnsureValid();
        _options = options;
        _startDay = options.Start.DayNumber;
        _endDayExclusive = options.End.DayNumber + 1;
        _days = _endDayExclusive - _startDay;
        var vocabulary = Vocabulary.For(options.Locale);
        _firstNames = Utf8(vocabulary.FirstNames);
        _lastNames = Utf8(vocabulary.LastNames);
        _firstSlugs = Utf8(vocabulary.FirstNameSlugs);
        _lastSlugs = Utf8(vocabulary.LastNameSlugs);
        _domains = Utf8(vocabulary.EmailDomains);
        _countries = Utf8(vocabulary.Countries);
        _adjectives = Utf8(vocabulary.ProductAdjectives);
        _materials = Utf8(vocabulary.ProductMaterials);
        _nouns = Utf8(vocabulary.ProductNouns);
        _categories = Utf8(vocabulary.Categories);
    }

    public GenerationOptions Options => _options;

    /// <summary>The row writer for a dataset.</summary>
    public Action<CsvWriter, long> WriterFor(DatasetSchema dataset) => dataset.Name switch
    {
        "customer_data" => WriteCustomer,
        "catalog_data" => WriteProduct,
        "transactions_data" => WriteTransaction,
        _ => throw new ArgumentException($"Unknown dataset '{dataset.Name}'.", nameof(dataset)),
    };

    public void WriteCustomer(CsvWriter writer, long id)
    {
        var random = new RowRandom(_options.Seed, CustomerStream, id);
        var (signupDay, country) = CustomerFacts(ref random);
        var first = random.Index(_firstNames.Length);
        var last = random.Index(_lastNames.Length);
        var domain = random.Index(_domains.Length);

        Span<byte> buffer = stackalloc byte[512];
        writer.WriteField(id, default);
        writer.WriteField(Join(buffer, _firstNames[first], " "u8, _lastNames[last]));
        writer.WriteField(Email(buffer, _firstSlugs[first], _lastSlugs[last], id, _domains[domain]));
        writer.WriteField(_countries[country].AsSpan());
        writer.WriteField(FormatDate(buffer, signupDay));
        writer.EndRecord();
    }

    public void WriteProduct(CsvWriter writer, long id)
    {
        var random = new RowRandom(_options.Seed, ProductStream, id);
        var priceCents = PriceCents(ref random);
        var adjective = _adjectives[random.Index(_adjectives.Length)];
        var material = _materials[random.Index(_materials.Length)];
        var noun = _nouns[random.Index(_nouns.Length)];
        var category = _categories[random.Index(_categories.Length)];
        var stock = random.Below(1_001);

        Span<byte> buffer = stackalloc byte[512];
        writer.WriteField(id, default);
        var name = Join(buffer, adjective, " "u8, material);
        name = Join(buffer, name, " "u8, noun);
        writer.WriteField(name);
        writer.WriteField(category.AsSpan());
        writer.WriteField(FormatCents(buffer, priceCents));
        writer.WriteField(stock, default);
        writer.EndRecord();
    }

    public void WriteTransaction(CsvWriter writer, long id)
    {
        var random = new RowRandom(_options.Seed, TransactionStream, id);
        var customerId = 1 + random.Below(_options.Customers);
        var productId = 1 + random.Below(_options.Products);
        var quantity = 1 + random.Below(5);

        var customerRandom = new RowRandom(_options.Seed, CustomerStream, customerId);
        var (signupDay, country) = CustomerFacts(ref customerRandom);
        var productRandom = new RowRandom(_options.Seed, ProductStream, productId);
        var amountCents = PriceCents(ref productRandom) * quantity;

        // Any second from the start of the signup day to the end of the range: never before signup.
        var seconds = (long)signupDay * SecondsPerDay + random.Below((_endDayExclusive - signupDay) * SecondsPerDay);

        Span<byte> buffer = stackalloc byte[64];
        writer.WriteField(id, default);
        writer.WriteField(customerId, default);
        writer.WriteField(productId, default);
        writer.WriteField(FormatTimestamp(buffer, seconds));
        writer.WriteField(FormatCents(buffer, amountCents));
        writer.WriteField(_countries[country].AsSpan());
        writer.EndRecord();
    }

    // The first two draws of a customer's stream; WriteTransaction relies on this order.
    private (int SignupDay, int Country) CustomerFacts(ref RowRandom random)
    {
        var signupDay = _startDay + (int)random.Below(_days);

        // Squaring skews towards the front of the list: a few countries dominate, as in real shops.
        var u = random.NextDouble();
        var country = (int)(u * u * _countries.Length);
        return (signupDay, country);
    }

    // The first draw of a product's stream; WriteTransaction relies on this order.
    private static long PriceCents(ref RowRandom random) =>
        (long)Math.Round(Math.Exp(MinLogPrice + random.NextDouble() * LogPriceSpan));

    private static byte[][] Utf8(string[] words) => words.Select(Encoding.UTF8.GetBytes).ToArray();

    private static ReadOnlySpan<byte> Join(Span<byte> buffer, ReadOnlySpan<byte> a, ReadOnlySpan<byte> separator, ReadOnlySpan<byte> b)
    {
        // a may already live at the start of buffer (when joining three words); copying it onto itself is safe.
        a.CopyTo(buffer);
        separator.CopyTo(buffer[a.Length..]);
        b.CopyTo(buffer[(a.Length + separator.Length)..]);
        return buffer[..(a.Length + separator.Length + b.Length)];
    }

    private static ReadOnlySpan<byte> Email(Span<byte> buffer, ReadOnlySpan<byte> first, ReadOnlySpan<byte> last, long id, ReadOnlySpan<byte> domain)
    {
        // The id keeps addresses unique however many customers share a name.
        var at = 0;
        first.CopyTo(buffer);
        at += first.Length;
        buffer[at++] = (byte)'.';
        last.CopyTo(buffer[at..]);
        at += last.Length;
        id.TryFormat(buffer[at..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        at += written;
        buffer[at++] = (byte)'@';
        domain.CopyTo(buffer[at..]);
        at += domain.Length;
        return buffer[..at];
    }

    private static ReadOnlySpan<byte> FormatDate(Span<byte> buffer, int dayNumber)
    {
        var date = DateOnly.FromDayNumber(dayNumber);
        WriteDate(buffer, date.Year, date.Month, date.Day);
        return buffer[..10];
    }

    private static ReadOnlySpan<byte> FormatTimestamp(Span<byte> buffer, long secondsSinceDayZero)
    {
        var day = (int)(secondsSinceDayZero / SecondsPerDay);
        var secondOfDay = (int)(secondsSinceDayZero - (long)day * SecondsPerDay);
        var date = DateOnly.FromDayNumber(day);
        WriteDate(buffer, date.Year, date.Month, date.Day);
        buffer[10] = (byte)' ';
        Two(buffer[11..], secondOfDay / 3600);
        buffer[13] = (byte)':';
        Two(buffer[14..], secondOfDay / 60 % 60);
        buffer[16] = (byte)':';
        Two(buffer[17..], secondOfDay % 60);
        return buffer[..19];
    }

    private static void WriteDate(Span<byte> buffer, int year, int month, int day)
    {
        Two(buffer, year / 100);
        Two(buffer[2..], year % 100);
        buffer[4] = (byte)'-';
        Two(buffer[5..], month);
        buffer[7] = (byte)'-';
        Two(buffer[8..], day);
    }

    private static void Two(Span<byte> buffer, int value)
    {
        buffer[0] = (byte)('0' + value / 10);
        buffer[1] = (byte)('0' + value % 10);
    }

    private static ReadOnlySpan<byte> FormatCents(Span<byte> buffer, long cents)
    {
        // Invariant "0.00" without going through decimal formatting, which costs more than the rest of the row.
        var whole = cents / 100;
        whole.TryFormat(buffer, out var at, default, System.Globalization.CultureInfo.InvariantCulture);
        buffer[at++] = (byte)'.';
        Two(buffer[at..], (int)(cents % 100));
        return buffer[..(at + 2)];
    }
}
