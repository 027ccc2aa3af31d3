using System.Globalization;

namespace EcomOps.Core.Warehouse;

// SMALLINT, INTEGER, BIGINT, DECIMAL, REAL and DOUBLE PRECISION fields, by Redshift's rules and its error texts.
public sealed partial class ColumnConverter
{
    private bool InvalidDigit(char c, int pos, out LoadFieldError? error) =>
        Fail(LoadErrorCodes.InvalidDigit, $"Invalid digit, Value '{c}', Pos {pos}, Type: {TypeName}", out error);

    private bool Overflow(ReadOnlySpan<char> field, string range, out LoadFieldError? error) =>
        Fail(LoadErrorCodes.OutOfRange, $"Overflow ({TypeName} valid range {range}), Value '{Show(field)}', Type: {TypeName}", out error);

    private bool TryInteger(ReadOnlySpan<char> field, ReadOnlySpan<char> s, int offset, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var negative = s[0] == '-';
        var i = s[0] is '-' or '+' ? 1 : 0;
        if (i == s.Length)
        {
            return InvalidDigit(s[0], offset, out error);
        }

        ulong magnitude = 0;
        var overflow = false;
        for (; i < s.Length; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return InvalidDigit(s[i], offset + i, out error);
            }

            if (magnitude > (ulong.MaxValue - d) / 10)
            {
                overflow = true;
            }
            else
            {
                magnitude = (magnitude * 10) + d;
            }
        }

        var (min, max) = _kind switch
        {
            WarehouseTypeKind.SmallInt => (short.MinValue, (long)short.MaxValue),
            WarehouseTypeKind.Integer => (int.MinValue, (long)int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (overflow || (negative ? magnitude > (ulong)max + 1 : magnitude > (ulong)max))
        {
            return Overflow(field, string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"), out error);
        }

        var n = negative ? (long)(0 - magnitude) : (long)magnitude;
        value = _kind switch
        {
            WarehouseTypeKind.SmallInt => (short)n,
            WarehouseTypeKind.Integer => (FieldValue)(int)n,
            _ => n,
        };
        error = null;
        return true;
    }

    private bool TryDecimal(ReadOnlySpan<char> field, ReadOnlySpan<char> s, int offset, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var negative = s[0] == '-';
        var i = s[0] is '-' or '+' ? 1 : 0;
        // Up to 18 digits fit a ulong, whose arithmetic is several times cheaper than UInt128's.
        ulong small = 0;
        var useSmall = _precision <= 18;
        UInt128 mantissa = 0;
        int integerDigits = 0, fractionDigits = 0, digits = 0;
        var point = false;
        var roundUp = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.' && !point)
            {
                point = true;
                continue;
            }

            var d = (uint)(c - '0');
            if (d > 9)
            {
                return InvalidDigit(c, offset + i, out error);
            }

            digits++;
            if (!point)
            {
                // Leading zeros take no precision.
                if (integerDigits == 0 && d == 0)
                {
                    continue;
                }

                if (++integerDigits > _precision - _scale)
                {
                    continue; // counted; reported as overflow after the whole field is checked for bad characters
                }

                if (useSmall) { small = (small * 10) + d; } else { mantissa = (mantissa * 10) + d; }
            }
            else if (fractionDigits < _scale)
            {
                fractionDigits++;
                if (useSmall) { small = (small * 10) + d; } else { mantissa = (mantissa * 10) + d; }
            }
            else if (fractionDigits == _scale)
            {
                // The first digit beyond the column's scale decides ROUNDEC's rounding; by default Redshift truncates.
                roundUp = _roundEc && d >= 5;
                fractionDigits++;
            }
        }

        if (digits == 0)
        {
            return Fail(LoadErrorCodes.InvalidDecimal, $"DECIMAL data type format error, Value '{Show(field)}', Type: Decimal", out error);
        }

        if (useSmall)
        {
            mantissa = small;
        }

        if (integerDigits > _precision - _scale)
        {
            return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}), Value '{Show(field)}', Type: Decimal", out error);
        }

        for (var k = Math.Min(fractionDigits, _scale); k < _scale; k++)
        {
            mantissa *= 10;
        }

        if (roundUp)
        {
            mantissa++;
            if (mantissa >= Pow10(_precision))
            {
                return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}), Value '{Show(field)}', Type: Decimal", out error);
            }
        }

        // .NET's decimal holds 96 bits of mantissa (28-29 digits) and scale up to 28; wider Redshift decimals that
        // do not fit are refused rather than silently rounded.
        if (mantissa >> 96 != 0 || _scale > 28)
        {
            return Fail(LoadErrorCodes.OutOfRange, $"Overflow for NUMERIC({_precision},{_scale}) (beyond 28 digits), Value '{Show(field)}', Type: Decimal", out error);
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative && mantissa != 0, (byte)_scale);
        error = null;
        return true;
    }

    private static UInt128 Pow10(int n)
    {
        UInt128 p = 1;
        for (var k = 0; k < n; k++)
        {
            p *= 10;
        }

        return p;
    }

    private bool TryFloat(ReadOnlySpan<char> field, ReadOnlySpan<char> s, out FieldValue value, out LoadFieldError? error)
    {
        value = default;
        var real = _kind == WarehouseTypeKind.Real;
        var sign = s[0] == '-' ? -1 : 1;
        var body = s[0] is '-' or '+' ? s[1..] : s;
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = real ? sign * float.PositiveInfinity : (FieldValue)(sign * double.PositiveInfinity);
            error = null;
            return true;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = real ? float.NaN : (FieldValue)double.NaN;
            error = null;
            return true;
        }

        // Digits, sign, point and exponent only: .NET would also take '∞' and culture symbols, Redshift does not.
        foreach (var c in body)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-'))
            {
                return Fail(LoadErrorCodes.InvalidFloat, $"FLOAT data type format error, Value '{Show(field)}', Type: {TypeName}", out error);
            }
        }

        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        bool parsed, infinite;
        if (real)
        {
            parsed = float.TryParse(s, style, CultureInfo.InvariantCulture, out var f);
            infinite = float.IsInfinity(f);
            value = f;
        }
        else
        {
            parsed = double.TryParse(s, style, CultureInfo.InvariantCulture, out var d);
            infinite = double.IsInfinity(d);
            value = d;
        }

        if (!parsed)
        {
            value = default;
            return Fail(LoadErrorCodes.InvalidFloat, $"FLOAT data type format error, Value '{Show(field)}', Type: {TypeName}", out error);
        }

        if (infinite)
        {
            // .NET reads a finite number too large for the type as infinity; Redshift refuses it.
            value = default;
            return Overflow(field, real ? "-3.4E38 to 3.4E38" : "-1.8E308 to 1.8E308", out error);
        }

        error = null;
        return true;
    }
}
