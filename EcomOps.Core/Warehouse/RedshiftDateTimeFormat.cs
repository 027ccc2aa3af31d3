namespace EcomOps.Core.Warehouse;

/// <summary>
/// A DATEFORMAT or TIMEFORMAT compiled once per load: Redshift's default ISO forms, <c>auto</c>, <c>epochsecs</c>,
/// <c>epochmillisecs</c>, or a pattern of Redshift's datetime elements (YYYY, YY, MM, MON, MONTH, DD, DDD, HH, HH24,
/// HH12, MI, SS, SS.SSS…, FF1-FF6, AM/PM). Parsing is span-based and allocation-free, and never throws.
/// </summary>
internal sealed class RedshiftDateTimeFormat
{
    private enum Mode { Iso, Auto, Pattern, EpochSecs, EpochMillis }

    private enum Seg { Literal, Space, Year4, Year2, Month, MonthName, Day, DayOfYear, Hour, Hour12, Hour24, Minute, Second, Fraction, AmPm }

    private readonly record struct Segment(Seg Kind, char Literal = '\0', int Digits = 0);

    /// <summary>The fields of a date and time as read; <see cref="OffsetMinutes"/> is null when the text had no zone.</summary>
    private struct Parts
    {
        public int Year, Month, Day, DayOfYear, Hour, Minute, Second, Microsecond, Pm;
        public int? OffsetMinutes;
    }

    private static readonly string[] MonthNames =
        ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"];

    // Date orders 'auto' tries after ISO, most common first; a time part may follow any of them.
    private static readonly Segment[][] AutoDatePatterns =
    [
        .. new[]
        {
            "YYYYMMDD", "MM/DD/YYYY", "MM-DD-YYYY", "MM.DD.YYYY", "YYYY/MM/DD", "YYYY.MM.DD", "MON DD, YYYY", "MON DD YYYY",
            "DD MON YYYY", "DD-MON-YYYY", "MON-DD-YYYY", "YYYY-MON-DD", "MM/DD/YY", "YYMMDD", "YYYY.DDD",
        }.Select(Compile),
    ];

    private readonly Mode _mode;
    private readonly Segment[] _segments = [];
    private readonly bool _isDate;

    private RedshiftDateTimeFormat(Mode mode, string text, bool isDate, Segment[]? segments = null)
    {
        _mode = mode;
        Text = text;
        _isDate = isDate;
        _segments = segments ?? [];
    }

    /// <summary>The format as written (or Redshift's default), for error messages.</summary>
    public string Text { get; }

    /// <summary>The DATEFORMAT: null is Redshift's default <c>YYYY-MM-DD</c>.</summary>
    /// <exception cref="ArgumentException">The pattern holds no date element or an unknown one.</exception>
    public static RedshiftDateTimeFormat ForDate(string? format) => Create(format, isDate: true);

    /// <summary>The TIMEFORMAT: null is Redshift's default <c>YYYY-MM-DD HH:MI:SS</c> (fractional seconds allowed).</summary>
    public static RedshiftDateTimeFormat ForTimestamp(string? format) => Create(format, isDate: false);

    private static RedshiftDateTimeFormat Create(string? format, bool isDate)
    {
        if (format is null)
        {
            return new(Mode.Iso, isDate ? "YYYY-MM-DD" : "YYYY-MM-DD HH:MI:SS", isDate);
        }

        if (format.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return new(Mode.Auto, "auto", isDate);
        }

        if (!isDate && format.Equals("epochsecs", StringComparison.OrdinalIgnoreCase))
        {
            return new(Mode.EpochSecs, "epochsecs", isDate);
        }

        if (!isDate && format.Equals("epochmillisecs", StringComparison.OrdinalIgnoreCase))
        {
            return new(Mode.EpochMillis, "epochmillisecs", isDate);
        }

        var segments = Compile(format);
        if (!segments.Any(s => s.Kind is Seg.Year4 or Seg.Year2))
        {
            throw new ArgumentException(
                $"{(isDate ? "DATEFORMAT" : "TIMEFORMAT")} '{format}' has no year (YYYY or YY): use 'auto' or a pattern such as 'MM/DD/YYYY'.",
                nameof(format));
        }

        return new(Mode.Pattern, format, isDate, segments);
    }

    private static Segment[] Compile(string pattern)
    {
        var p = pattern.ToUpperInvariant();
        var list = new List<Segment>();
        var i = 0;
        while (i < p.Length)
        {
            if (At("YYYY")) { list.Add(new(Seg.Year4, Digits: 4)); i += 4; }
            else if (At("YY")) { list.Add(new(Seg.Year2, Digits: 2)); i += 2; }
            else if (At("MONTH")) { list.Add(new(Seg.MonthName)); i += 5; }
            else if (At("MON")) { list.Add(new(Seg.MonthName)); i += 3; }
            else if (At("MM")) { list.Add(new(Seg.Month, Digits: 2)); i += 2; }
            else if (At("DDD")) { list.Add(new(Seg.DayOfYear, Digits: 3)); i += 3; }
            else if (At("DD")) { list.Add(new(Seg.Day, Digits: 2)); i += 2; }
            else if (At("HH24")) { list.Add(new(Seg.Hour24, Digits: 2)); i += 4; }
            else if (At("HH12")) { list.Add(new(Seg.Hour12, Digits: 2)); i += 4; }
            else if (At("HH")) { list.Add(new(Seg.Hour, Digits: 2)); i += 2; }
            else if (At("MI")) { list.Add(new(Seg.Minute, Digits: 2)); i += 2; }
            else if (At("SS"))
            {
                list.Add(new(Seg.Second, Digits: 2));
                i += 2;
                // 'SS.SSS': the S's after the point are fractional digits.
                if (i + 1 < p.Length && p[i] == '.' && p[i + 1] == 'S')
                {
                    var n = 0;
                    i++;
                    while (i < p.Length && p[i] == 'S') { n++; i++; }
                    list.Add(new(Seg.Literal, '.'));
                    list.Add(new(Seg.Fraction, Digits: n));
                }
            }
            else if (At("FF"))
            {
                i += 2;
                var n = 6;
                if (i < p.Length && p[i] is >= '1' and <= '9') { n = p[i] - '0'; i++; }
                list.Add(new(Seg.Fraction, Digits: n));
            }
            else if (At("AM") || At("PM")) { list.Add(new(Seg.AmPm)); i += 2; }
            // 'YYYY-MM-DDTHH:MI:SS' (ISO 8601's separator) is a pattern Redshift's COPY examples use.
            else if (p[i] == 'T' && i > 0 && i + 1 < p.Length && p[i + 1] == 'H') { list.Add(new(Seg.Literal, 'T')); i++; }
            else if (char.IsAsciiLetter(p[i]))
            {
                throw new ArgumentException(
                    $"Datetime format '{pattern}' holds '{pattern[i..]}' at position {i}, which is not a Redshift datetime element "
                    + "(YYYY, YY, MM, MON, MONTH, DD, DDD, HH, HH24, HH12, MI, SS, FF, AM, PM).", nameof(pattern));
            }
            else if (p[i] == ' ') { list.Add(new(Seg.Space)); i++; }
            else { list.Add(new(Seg.Literal, p[i])); i++; }
        }

        if (list.Any(s => s.Kind == Seg.AmPm))
        {
            // With a meridiem, HH is a 12-hour clock.
            for (var k = 0; k < list.Count; k++)
            {
                if (list[k].Kind == Seg.Hour) { list[k] = list[k] with { Kind = Seg.Hour12 }; }
            }
        }

        return [.. list];

        bool At(string element) => string.CompareOrdinal(p, i, element, 0, element.Length) == 0;
    }

    /// <summary>Parses a DATE; the time part some forms carry is dropped, as Redshift does.</summary>
    public bool TryParseDate(ReadOnlySpan<char> s, out DateOnly value)
    {
        if (TryParseParts(s, out var parts) && TryDate(parts, out var date))
        {
            value = date;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// Parses a TIMESTAMP or TIMESTAMPTZ. For TIMESTAMPTZ (<paramref name="toUtc"/>) a zone offset in the text is
    /// applied and the result is UTC; text without a zone is UTC already. For TIMESTAMP the offset is ignored.
    /// </summary>
    public bool TryParseTimestamp(ReadOnlySpan<char> s, bool toUtc, out DateTime value)
    {
        value = default;
        if (_mode is Mode.EpochSecs or Mode.EpochMillis)
        {
            if (!TryEpoch(s, out var n))
            {
                return false;
            }

            var ticksPerUnit = _mode == Mode.EpochSecs ? TimeSpan.TicksPerSecond : TimeSpan.TicksPerMillisecond;
            var maxUnits = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / ticksPerUnit;
            var minUnits = -DateTime.UnixEpoch.Ticks / ticksPerUnit;
            if (n > maxUnits || n < minUnits)
            {
                return false;
            }

            value = new DateTime(DateTime.UnixEpoch.Ticks + (n * ticksPerUnit), toUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
            return true;
        }

        if (!TryParseParts(s, out var parts) || !TryDate(parts, out var date))
        {
            return false;
        }

        var ticks = date.DayNumber * TimeSpan.TicksPerDay + parts.Hour * TimeSpan.TicksPerHour + parts.Minute * TimeSpan.TicksPerMinute
            + parts.Second * TimeSpan.TicksPerSecond + parts.Microsecond * TimeSpan.TicksPerMicrosecond;
        if (toUtc && parts.OffsetMinutes is { } offset)
        {
            ticks -= offset * TimeSpan.TicksPerMinute;
            if (ticks < 0 || ticks > DateTime.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = new DateTime(ticks, toUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified);
        return true;
    }

    private static bool TryEpoch(ReadOnlySpan<char> s, out long n)
    {
        n = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }

        if (i == s.Length || s.Length - i > 18)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            n = (n * 10) + (s[i] - '0');
        }

        if (negative)
        {
            n = -n;
        }

        return true;
    }

    private static bool TryDate(in Parts p, out DateOnly date)
    {
        date = default;
        if (p.Year is < 1 or > 9999)
        {
            return false;
        }

        if (p.DayOfYear > 0)
        {
            if (p.DayOfYear > (DateTime.IsLeapYear(p.Year) ? 366 : 365))
            {
                return false;
            }

            date = new DateOnly(p.Year, 1, 1).AddDays(p.DayOfYear - 1);
            return true;
        }

        if (p.Month is < 1 or > 12 || p.Day < 1 || p.Day > DateTime.DaysInMonth(p.Year, p.Month))
        {
            return false;
        }

        date = new DateOnly(p.Year, p.Month, p.Day);
        return true;
    }

    private bool TryParseParts(ReadOnlySpan<char> s, out Parts parts)
    {
        parts = default;
        switch (_mode)
        {
            case Mode.Iso:
            {
                // Redshift's defaults: YYYY-MM-DD for dates; YYYY-MM-DD HH:MI:SS[.ffffff] for timestamps, where a bare
                // date means midnight.
                if (!TryIsoDate(s, ref parts))
                {
                    return false;
                }

                var rest = s[10..];
                if (_isDate)
                {
                    return rest.IsEmpty;
                }

                if (rest.IsEmpty)
                {
                    return true;
                }

                return rest[0] == ' ' && TryTime(rest[1..], ref parts, out var used) && TryZone(rest[(1 + used)..], ref parts);
            }

            case Mode.Auto:
                return TryAuto(s, ref parts);
            default:
                return TryPattern(_segments, s, ref parts, out var consumed) && TryZone(s[consumed..], ref parts) && Finish(ref parts);
        }
    }

    private static bool TryIsoDate(ReadOnlySpan<char> s, ref Parts parts)
    {
        if (s.Length < 10 || s[4] != '-' || s[7] != '-')
        {
            return false;
        }

        return Digits(s[..4], out parts.Year) && Digits(s.Slice(5, 2), out parts.Month) && Digits(s.Slice(8, 2), out parts.Day);
    }

    /// <summary>HH:MI[:SS[.f…]] [AM|PM], or HHMISS; <paramref name="used"/> is how much of the text it took.</summary>
    private static bool TryTime(ReadOnlySpan<char> s, ref Parts parts, out int used)
    {
        used = 0;
        if (s.Length >= 6 && Digits(s[..6], out _) && (s.Length == 6 || !char.IsAsciiDigit(s[6])))
        {
            Digits(s[..2], out parts.Hour);
            Digits(s.Slice(2, 2), out parts.Minute);
            Digits(s.Slice(4, 2), out parts.Second);
            used = 6;
        }
        else
        {
            // H:MI or HH:MI, then :SS.
            var h = s.Length > 1 && s[1] == ':' ? 1 : 2;
            if (s.Length < h + 3 || s[h] != ':' || !Digits(s[..h], out parts.Hour) || !Digits(s.Slice(h + 1, 2), out parts.Minute))
            {
                return false;
            }

            used = h + 3;
            if (s.Length >= used + 3 && s[used] == ':')
            {
                if (!Digits(s.Slice(used + 1, 2), out parts.Second))
                {
                    return false;
                }

                used += 3;
            }
        }

        if (used < s.Length && s[used] == '.')
        {
            if (!Fraction(s[(used + 1)..], 9, out parts.Microsecond, out var n))
            {
                return false;
            }

            used += 1 + n;
        }

        var k = used;
        while (k < s.Length && s[k] == ' ')
        {
            k++;
        }

        if (k + 1 < s.Length && s[k + 1] is 'M' or 'm' && s[k] is 'A' or 'a' or 'P' or 'p')
        {
            parts.Pm = s[k] is 'P' or 'p' ? 2 : 1;
            used = k + 2;
        }

        return Finish(ref parts);
    }

    /// <summary>Checks the time fields and applies AM/PM.</summary>
    private static bool Finish(ref Parts parts)
    {
        if (parts.Pm != 0)
        {
            if (parts.Hour is < 1 or > 12)
            {
                return false;
            }

            parts.Hour = (parts.Hour % 12) + (parts.Pm == 2 ? 12 : 0);
            parts.Pm = 0;
        }

        return parts.Hour is >= 0 and <= 23 && parts.Minute is >= 0 and <= 59 && parts.Second is >= 0 and <= 59;
    }

    /// <summary>An optional zone after a time: Z, UTC, GMT, a few US/European abbreviations, or ±HH[[:]MM]. Nothing may follow.</summary>
    private static bool TryZone(ReadOnlySpan<char> s, ref Parts parts)
    {
        s = s.TrimStart(' ');
        if (s.IsEmpty)
        {
            return true;
        }

        if (s[0] is '+' or '-')
        {
            var sign = s[0] == '-' ? -1 : 1;
            var z = s[1..];
            int hours, minutes = 0;
            if (z.Length == 2 && Digits(z, out hours)) { }
            else if (z.Length == 4 && Digits(z[..2], out hours) && Digits(z[2..], out minutes)) { }
            else if (z.Length == 5 && z[2] == ':' && Digits(z[..2], out hours) && Digits(z[3..], out minutes)) { }
            else
            {
                return false;
            }

            if (hours > 15 || minutes > 59)
            {
                return false;
            }

            parts.OffsetMinutes = sign * ((hours * 60) + minutes);
            return true;
        }

        int? offset = s.Length switch
        {
            1 when s[0] is 'Z' or 'z' => 0,
            3 => Abbreviation(s),
            4 => Abbreviation(s),
            _ => null,
        };
        parts.OffsetMinutes = offset;
        return offset is not null;
    }

    private static int? Abbreviation(ReadOnlySpan<char> s)
    {
        Span<char> upper = stackalloc char[4];
        var n = s.ToUpperInvariant(upper);
        return upper[..n] switch
        {
            "UTC" or "GMT" => 0,
            "PST" => -480, "PDT" => -420, "MST" => -420, "MDT" => -360, "CST" => -360, "CDT" => -300,
            "EST" => -300, "EDT" => -240, "CET" => 60, "CEST" => 120, "BST" => 60,
            _ => null,
        };
    }

    private bool TryAuto(ReadOnlySpan<char> s, ref Parts parts)
    {
        var start = parts;
        int used;
        if (TryIsoDate(s, ref parts))
        {
            used = 10;
        }
        else if (s.Length > 1 && s[0] is 'J' or 'j' && Digits(s[1..Math.Min(s.Length, 8)], out var julian) && s.Length >= 8)
        {
            // Julian day number: J2451545 is 2000-01-01. DateOnly's day 0 is Julian day 1721426.
            var day = julian - 1721426;
            if (day < 0 || day > DateOnly.MaxValue.DayNumber)
            {
                return false;
            }

            var date = DateOnly.FromDayNumber(day);
            (parts.Year, parts.Month, parts.Day) = (date.Year, date.Month, date.Day);
            used = 8;
        }
        else
        {
            used = -1;
            foreach (var pattern in AutoDatePatterns)
            {
                parts = start;
                if (TryPattern(pattern, s, ref parts, out var consumed))
                {
                    used = consumed;
                    break;
                }
            }

            if (used < 0)
            {
                return false;
            }
        }

        var rest = s[used..];
        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest[0] is not ('T' or 't' or ' '))
        {
            return false;
        }

        rest = rest[1..].TrimStart(' ');
        return TryTime(rest, ref parts, out var timeUsed) && TryZone(rest[timeUsed..], ref parts);
    }

    /// <summary>Matches a compiled pattern at the start of the text; <paramref name="consumed"/> is where it ended.</summary>
    private static bool TryPattern(Segment[] segments, ReadOnlySpan<char> s, ref Parts parts, out int consumed)
    {
        var i = 0;
        consumed = 0;
        foreach (var seg in segments)
        {
            switch (seg.Kind)
            {
                case Seg.Literal:
                    if (i >= s.Length || char.ToUpperInvariant(s[i]) != seg.Literal)
                    {
                        return false;
                    }

                    i++;
                    break;
                case Seg.Space:
                    if (i >= s.Length || s[i] != ' ')
                    {
                        return false;
                    }

                    while (i < s.Length && s[i] == ' ')
                    {
                        i++;
                    }

                    break;
                case Seg.MonthName:
                {
                    var n = 0;
                    while (i + n < s.Length && char.IsAsciiLetter(s[i + n]))
                    {
                        n++;
                    }

                    parts.Month = MonthFromName(s.Slice(i, n));
                    if (parts.Month == 0)
                    {
                        return false;
                    }

                    i += n;
                    break;
                }

                case Seg.AmPm:
                    if (i + 1 >= s.Length || s[i + 1] is not ('M' or 'm') || s[i] is not ('A' or 'a' or 'P' or 'p'))
                    {
                        return false;
                    }

                    parts.Pm = s[i] is 'P' or 'p' ? 2 : 1;
                    i += 2;
                    break;
                case Seg.Second when seg.Digits == 2 && TryPatternNumber(seg, s, ref i, out var second):
                    parts.Second = second;
                    // Fractional seconds after SS load even when the pattern does not spell them out.
                    if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]) && !FractionFollows(segments, seg))
                    {
                        Fraction(s[(i + 1)..], 9, out parts.Microsecond, out var n);
                        i += 1 + n;
                    }

                    break;
                case Seg.Second:
                    return false;
                case Seg.Fraction:
                {
                    if (!Fraction(s[i..], seg.Digits, out parts.Microsecond, out var n))
                    {
                        return false;
                    }

                    i += n;
                    break;
                }

                default:
                {
                    // Numbers take up to their width, so 'MM/DD/YYYY' reads 1/5/2024 too; YYYY and YY take exactly theirs.
                    var min = seg.Kind is Seg.Year4 or Seg.Year2 ? seg.Digits : 1;
                    var n = 0;
                    var v = 0;
                    while (n < seg.Digits && i + n < s.Length && char.IsAsciiDigit(s[i + n]))
                    {
                        v = (v * 10) + (s[i + n] - '0');
                        n++;
                    }

                    if (n < min)
                    {
                        return false;
                    }

                    i += n;
                    switch (seg.Kind)
                    {
                        case Seg.Year4: parts.Year = v; break;
                        // Two-digit years as PostgreSQL reads them: 70-99 are 19xx, 00-69 are 20xx.
                        case Seg.Year2: parts.Year = v + (v >= 70 ? 1900 : 2000); break;
                        case Seg.Month: parts.Month = v; break;
                        case Seg.Day: parts.Day = v; break;
                        case Seg.DayOfYear:
                            if (v < 1) { return false; }
                            parts.DayOfYear = v;
                            break;
                        case Seg.Hour or Seg.Hour24: parts.Hour = v; break;
                        case Seg.Hour12:
                            if (v is < 1 or > 12) { return false; }
                            parts.Hour = v;
                            break;
                        case Seg.Minute: parts.Minute = v; break;
                        case Seg.Second: parts.Second = v; break;
                    }

                    break;
                }
            }
        }

        consumed = i;
        return true;
    }

    private static bool FractionFollows(Segment[] segments, Segment second)
    {
        var k = Array.IndexOf(segments, second);
        return k + 2 < segments.Length && segments[k + 1] is { Kind: Seg.Literal, Literal: '.' } && segments[k + 2].Kind == Seg.Fraction;
    }

    private static bool TryPatternNumber(Segment seg, ReadOnlySpan<char> s, ref int i, out int value)
    {
        var n = 0;
        value = 0;
        while (n < seg.Digits && i + n < s.Length && char.IsAsciiDigit(s[i + n]))
        {
            value = (value * 10) + (s[i + n] - '0');
            n++;
        }

        i += n;
        return n > 0;
    }

    private static int MonthFromName(ReadOnlySpan<char> name)
    {
        if (name.Length < 3)
        {
            return 0;
        }

        for (var m = 0; m < 12; m++)
        {
            var full = MonthNames[m].AsSpan();
            if (name.Length == 3 ? name.Equals(full[..3], StringComparison.OrdinalIgnoreCase) : name.Equals(full, StringComparison.OrdinalIgnoreCase))
            {
                return m + 1;
            }
        }

        // 'Sept' is common enough to accept.
        return name.Equals("SEPT", StringComparison.OrdinalIgnoreCase) ? 9 : 0;
    }

    /// <summary>Up to <paramref name="maxDigits"/> fractional digits (at least one); kept to microseconds, Redshift's precision, beyond that truncated.</summary>
    private static bool Fraction(ReadOnlySpan<char> s, int maxDigits, out int microseconds, out int used)
    {
        microseconds = 0;
        used = 0;
        while (used < s.Length && used < Math.Max(maxDigits, 9) && char.IsAsciiDigit(s[used]))
        {
            if (used < 6)
            {
                microseconds = (microseconds * 10) + (s[used] - '0');
            }

            used++;
        }

        for (var k = used; k < 6; k++)
        {
            microseconds *= 10;
        }

        return used > 0;
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return s.Length > 0;
    }
}
