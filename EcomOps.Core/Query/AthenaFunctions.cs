using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static EcomOps.Core.Query.AthenaSqlTranslator;

namespace EcomOps.Core.Query;

/// <summary>
/// Athena (Trino) functions whose DuckDB namesake differs, by name, argument order or result, each as the DuckDB
/// expression that gives Athena's answer. The README's table lists them; the tests run each one.
/// </summary>
internal static class AthenaFunctions
{
    /// <summary>The DuckDB template for a call, or null when DuckDB's function of that name already answers as Athena's does.</summary>
    /// <exception cref="QueryRefusedException">The call cannot be run locally as Athena would run it.</exception>
    public static string? Template(string name, IReadOnlyList<JsonNode> args, ColumnTypes types)
    {
        var a1 = Arg(1);
        var a2 = Arg(2);
        var a3 = Arg(3);
        return (name, args.Count) switch
        {
            // Athena averages decimals as a decimal of the same type; DuckDB gives a DOUBLE.
            ("avg", 1) when Decimal(types, args[0]) is { } type => $"CAST(round(avg({a1}), {type.Scale}) AS DECIMAL({type.Precision}, {type.Scale}))",
            // Athena sums integers as a bigint; DuckDB gives a 128-bit integer.
            ("sum", 1) when types.IsIntegral(args[0]) => $"CAST(sum({a1}) AS BIGINT)",
            ("approx_distinct", 1 or 2) => $"approx_count_distinct({a1})",
            ("approx_percentile", 2) => $"approx_quantile({a1}, {a2})",
            ("regexp_like", 2) => $"regexp_matches({a1}, {a2})",
            ("day_of_week" or "dow", 1) => $"isodow({a1})",
            ("day_of_year" or "doy", 1) => $"dayofyear({a1})",
            ("year_of_week" or "yow", 1) => $"isoyear({a1})",

            // DuckDB's date_diff counts unit boundaries crossed; date_sub counts whole units elapsed, as Athena does.
            ("date_diff", 3) => $"date_sub({a1}, {a2}, {a3})",
            ("date_add", 3) => DateAdd(args[0], a2, a3),
            ("from_iso8601_timestamp", 1) => $"CAST({a1} AS TIMESTAMPTZ)",
            ("from_iso8601_date", 1) => $"CAST({a1} AS DATE)",
            ("to_unixtime", 1) => $"epoch({a1})",
            ("from_unixtime", 1) => $"to_timestamp({a1})",
            ("arbitrary", 1) => $"any_value({a1})",

            // Athena counts in bigint; DuckDB's count_if gives a 128-bit integer.
            ("count_if", 1) => $"CAST(count_if({a1}) AS BIGINT)",
            ("json_extract_scalar", 2) => $"json_extract_string({a1}, {a2})",

            // Athena gives NULL where there is no match or no such part; DuckDB gives ''.
            ("regexp_extract", 2) => $"CASE WHEN regexp_matches({a1}, {a2}) THEN regexp_extract({a1}, {a2}) END",
            ("regexp_extract", 3) => $"CASE WHEN regexp_matches({a1}, {a2}) THEN regexp_extract({a1}, {a2}, {a3}) END",
            ("split_part", 3) => $"CASE WHEN {a3} >= 1 AND len(string_split({a1}, {a2})) >= {a3} THEN split_part({a1}, {a2}, {a3}) END",

            // Athena replaces every match and writes groups as $1; DuckDB replaces the first unless 'g', as \1.
            ("regexp_replace", 2) => $"regexp_replace({a1}, {a2}, '', 'g')",
            ("regexp_replace", 3) => $"regexp_replace({a1}, {a2}, {Literal(Replacement(RequireConstant(name, args[2], "replacement")))}, 'g')",
            // DuckDB's cardinality takes maps only, and its element_at gives a map's value as a list of one and takes no arrays.
            ("cardinality", 1) when IsMap(types, args[0]) => null,
            ("cardinality", 1) => $"len({a1})",
            ("element_at", 2) when IsMap(types, args[0]) => $"map_extract_value({a1}, {a2})",
            ("element_at", 2) => $"list_extract({a1}, {a2})",

            // Athena's concat is NULL when any argument is; DuckDB's skips NULLs. || is NULL-strict in both.
            ("concat", >= 2) => "(" + Join(Enumerable.Range(1, args.Count).Select(Arg), " || ") + ")",
            ("date_format", 2) => $"strftime({a1}, {Literal(MySqlFormat(RequireConstant(name, args[1], "format")))})",
            ("date_parse", 2) => $"strptime({a1}, {Literal(MySqlFormat(RequireConstant(name, args[1], "format")))})",
            ("format_datetime", 2) => $"strftime({a1}, {Literal(JodaFormat(RequireConstant(name, args[1], "pattern")))})",
            ("parse_datetime", 2) => $"strptime({a1}, {Literal(JodaFormat(RequireConstant(name, args[1], "pattern")))})",
            _ => null,
        };
    }

    /// <summary>
    /// Trino's decimal division of <paramref name="dividend"/> by <paramref name="divisor"/> when either is a decimal
    /// and the other a decimal or an integer: the result has scale max(s1, s2) and precision
    /// min(38, p1 + s2 + max(0, s2 - s1)), rounded half up, computed on the unscaled 128-bit integers so that no
    /// DOUBLE ever holds the money. Null when neither side is known to be a decimal.
    /// </summary>
    public static string? DecimalDivision(JsonNode dividend, JsonNode divisor, ColumnTypes types)
    {
        var left = Decimal(types, dividend);
        var right = Decimal(types, divisor);
        if (left is null && right is null)
        {
            return null;
        }

        left ??= IntegerAsDecimal(types, dividend);
        right ??= IntegerAsDecimal(types, divisor);
        if (left is not { } a || right is not { } b)
        {
            return null;
        }

        var scale = Math.Max(a.Scale, b.Scale);
        var precision = Math.Min(38, a.Precision + b.Scale + Math.Max(0, b.Scale - a.Scale));
        var shift = scale - a.Scale + b.Scale;
        var n = $"(CAST({Arg(1)} * {Power(a.Scale)} AS HUGEINT) * CAST({Power(shift)} AS HUGEINT))";
        var d = $"CAST({Arg(2)} * {Power(b.Scale)} AS HUGEINT)";
        var quotient = $"(sign({n}) * sign({d}) * ((2 * abs({n}) + abs({d})) // (2 * abs({d}))))";
        var unscale = scale == 0 ? "" : " * 0." + new string('0', scale - 1) + "1";
        return string.Create(CultureInfo.InvariantCulture,
            $"CASE WHEN {d} = 0 THEN error('Division by zero') ELSE CAST(CAST({quotient} AS DECIMAL(38, 0)){unscale} AS DECIMAL({precision}, {scale})) END");
    }

    private static string Power(int exponent) => "1" + new string('0', exponent);

    // Trino widens an integer operand of a decimal operation to the decimal that holds every value of its type.
    private static (int Precision, int Scale)? IntegerAsDecimal(ColumnTypes types, JsonNode arg) =>
        types.IsIntegral(arg)
            ? (types.TypeOf(arg)?.ToUpperInvariant() switch { "TINYINT" => 3, "SMALLINT" => 5, "INTEGER" => 10, _ => 19 }, 0)
            : null;

    private static bool IsMap(ColumnTypes types, JsonNode arg) => types.TypeOf(arg)?.StartsWith("MAP", StringComparison.OrdinalIgnoreCase) == true;

    // DECIMAL(10,2) of a column (as DESCRIBE writes it), a cast, a literal or an aggregate of one.
    private static (int Precision, int Scale)? Decimal(ColumnTypes types, JsonNode arg)
    {
        var type = types.TypeOf(arg);
        if (type is null || !type.StartsWith("DECIMAL(", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = type["DECIMAL(".Length..].TrimEnd(')').Split(',');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var precision) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var scale)
            ? (precision, scale)
            : null;
    }

    private static string DateAdd(JsonNode unitArg, string amount, string value)
    {
        var unit = RequireConstant("date_add", unitArg, "unit").ToLowerInvariant();
        var n = $"CAST({amount} AS BIGINT)";
        return unit switch
        {
            "millisecond" => $"({value} + to_milliseconds({n}))",
            "second" => $"({value} + to_seconds({n}))",
            "minute" => $"({value} + to_minutes({n}))",
            "hour" => $"({value} + to_hours({n}))",
            "day" => $"({value} + to_days({n}))",
            "week" => $"({value} + to_days({n} * 7))",
            "month" => $"({value} + to_months({n}))",
            "quarter" => $"({value} + to_months({n} * 3))",
            "year" => $"({value} + to_years({n}))",
            _ => throw new QueryRefusedException($"date_add: unknown unit '{unit}'; Athena takes millisecond, second, minute, hour, day, week, month, quarter or year."),
        };
    }

    private static string RequireConstant(string function, JsonNode arg, string what) =>
        ConstantString(arg) ?? throw new QueryRefusedException(
            $"{function} with a {what} that is not a string literal cannot run locally (DuckDB needs to know it before the query runs); it would run on Athena. Write the {what} as a literal.");

    // Trino's $1 group references are DuckDB's \1; a literal backslash is doubled.
    private static string Replacement(string athena)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < athena.Length; i++)
        {
            if (athena[i] == '\\')
            {
                builder.Append(@"\\");
            }
            else if (athena[i] == '$' && i + 1 < athena.Length && char.IsAsciiDigit(athena[i + 1]))
            {
                builder.Append('\\').Append(athena[++i]);
            }
            else
            {
                builder.Append(athena[i]);
            }
        }

        return builder.ToString();
    }

    // Athena's date_format takes MySQL's specifiers: %i is minutes and %M the month's name, unlike strftime.
    internal static string MySqlFormat(string format)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var specifier = format[++i];
            builder.Append(specifier switch
            {
                'a' => "%a",
                'b' => "%b",
                'c' => "%-m",
                'd' => "%d",
                'e' => "%-d",
                'f' => "%f",
                'H' => "%H",
                'h' or 'I' => "%I",
                'i' => "%M",
                'j' => "%j",
                'k' => "%-H",
                'l' => "%-I",
                'M' => "%B",
                'm' => "%m",
                'p' => "%p",
                'r' => "%I:%M:%S %p",
                'S' or 's' => "%S",
                'T' => "%H:%M:%S",
                'v' => "%V",
                'W' => "%A",
                'x' => "%G",
                'Y' => "%Y",
                'y' => "%y",
                '%' => "%%",
                _ => throw new QueryRefusedException($"date_format specifier %{specifier} is not supported locally; it would run on Athena."),
            });
        }

        return builder.ToString();
    }

    // Athena's format_datetime takes Joda-Time patterns: runs of one letter, 'quoted' literals.
    internal static string JodaFormat(string pattern)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var end = pattern.IndexOf('\'', i + 1);
                if (end == i + 1)
                {
                    builder.Append('\'');
                    i += 2;
                    continue;
                }

                var literal = end < 0 ? pattern[(i + 1)..] : pattern[(i + 1)..end];
                builder.Append(literal.Replace("%", "%%", StringComparison.Ordinal));
                i = end < 0 ? pattern.Length : end + 1;
                continue;
            }

            if (!char.IsAsciiLetter(c))
            {
                builder.Append(c == '%' ? "%%" : c.ToString());
                i++;
                continue;
            }

            var run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }

            builder.Append((c, run) switch
            {
                ('y' or 'Y', 2) => "%y",
                ('y' or 'Y', _) => "%Y",
                ('M', 1) => "%-m",
                ('M', 2) => "%m",
                ('M', 3) => "%b",
                ('M', _) => "%B",
                ('d', 1) => "%-d",
                ('d', _) => "%d",
                ('D', <= 2) => "%-j",
                ('D', _) => "%j",
                ('H', 1) => "%-H",
                ('H', _) => "%H",
                ('h', 1) => "%-I",
                ('h', _) => "%I",
                ('m', 1) => "%-M",
                ('m', _) => "%M",
                ('s', 1) => "%-S",
                ('s', _) => "%S",
                ('S', <= 3) => "%g",
                ('S', _) => "%f",
                ('a', _) => "%p",
                ('E', <= 3) => "%a",
                ('E', _) => "%A",
                ('Z', _) => "%z",
                _ => throw new QueryRefusedException(string.Create(CultureInfo.InvariantCulture, $"format_datetime pattern letter '{new string(c, run)}' is not supported locally; it would run on Athena.")),
            });
            i += run;
        }

        return builder.ToString();
    }
}
