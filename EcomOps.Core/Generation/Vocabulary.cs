using System.Collections.Concurrent;
using System.Text;
using Bogus;
using Bogus.Extensions;

namespace EcomOps.Core.Generation;

/// <summary>
/// The words rows are made of, drawn once per locale from Bogus' locale data. Rows then pick from these
/// arrays with a counter-based random (see <see cref="RowRandom"/>), which is what lets generation run in
/// parallel at millions of rows per second while staying byte-identical for a seed: Bogus' own per-call
/// fakers cost microseconds per field and depend on call order.
/// </summary>
internal sealed class Vocabulary
{
    // Fixed, so the vocabulary (and so the output) of a locale never depends on the user's seed or on
    // which locale happened to be loaded first.
    private const int VocabularySeed = 20240101;
    private const int Samples = 4096;

    private static readonly ConcurrentDictionary<string, Vocabulary> Cache = new(StringComparer.Ordinal);

    private Vocabulary(string locale)
    {
        Locale = locale;
        var faker = new Faker(locale) { Random = new Randomizer(VocabularySeed) };
        FirstNames = Distinct(() => faker.Name.FirstName());
        LastNames = Distinct(() => faker.Name.LastName());
        FirstNameSlugs = FirstNames.Select(n => Slug(n, locale)).ToArray();
        LastNameSlugs = LastNames.Select(n => Slug(n, locale)).ToArray();
        EmailDomains = Distinct(() => faker.Internet.Email()).Select(e => e[(e.IndexOf('@') + 1)..]).Distinct().ToArray();
        Countries = Distinct(() => faker.Address.Country());
        ProductAdjectives = Distinct(() => faker.Commerce.ProductAdjective());
        ProductMaterials = Distinct(() => faker.Commerce.ProductMaterial());
        ProductNouns = Distinct(() => faker.Commerce.Product());
        Categories = Distinct(() => faker.Commerce.Department(max: 1));
    }

    /// <summary>Locales Bogus ships, sorted.</summary>
    public static IReadOnlyList<string> Locales { get; } = Database.GetAllLocales().Order(StringComparer.Ordinal).ToArray();

    public string Locale { get; }

    public string[] FirstNames { get; }

    public string[] LastNames { get; }

    /// <summary>ASCII, lower-case forms of <see cref="FirstNames"/> for email addresses, same order.</summary>
    public string[] FirstNameSlugs { get; }

    public string[] LastNameSlugs { get; }

    public string[] EmailDomains { get; }

    public string[] Countries { get; }

    public string[] ProductAdjectives { get; }

    public string[] ProductMaterials { get; }

    public string[] ProductNouns { get; }

    public string[] Categories { get; }

    public static bool IsKnownLocale(string? locale) =>
        !string.IsNullOrWhiteSpace(locale) && Locales.Contains(locale, StringComparer.Ordinal);

    public static Vocabulary For(string locale)
    {
        if (!IsKnownLocale(locale))
        {
            throw new ArgumentException($"Unknown locale '{locale}'. Use one of: {string.Join(", ", Locales)}.", nameof(locale));
        }

        return Cache.GetOrAdd(locale, static l => new Vocabulary(l));
    }

    private static string[] Distinct(Func<string> draw)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<string>();
        for (var i = 0; i < Samples; i++)
        {
            var value = draw().Trim();
            if (value.Length > 0 && seen.Add(value))
            {
                ordered.Add(value);
            }
        }

        return ordered.Count > 0 ? [.. ordered] : throw new InvalidOperationException("Bogus returned no values for a vocabulary list.");
    }

    private static string Slug(string name, string locale)
    {
        var ascii = name.Transliterate(locale);
        var sb = new StringBuilder(ascii.Length);
        foreach (var c in ascii)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.Length > 0 ? sb.ToString() : "user";
    }
}
