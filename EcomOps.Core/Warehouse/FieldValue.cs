namespace EcomOps.Core.Warehouse;

/// <summary>The CLR type a <see cref="FieldValue"/> holds.</summary>
public enum FieldValueType
{
    Null,
    Int16,
    Int32,
    Int64,
    Decimal,
    Single,
    Double,
    Boolean,
    String,
    Date,
    DateTime,
}

/// <summary>
/// A converted field without boxing, for the loader's hot loop: read the accessor that matches <see cref="Type"/>
/// (<see cref="Int64"/> also serves Int16/Int32; <see cref="DateTime"/> is UTC-kind for TIMESTAMPTZ).
/// <see cref="ToObject"/> gives what <see cref="FieldConverter.TryConvert"/> returns. Produced by <see cref="ColumnConverter.TryConvertValue(string?, bool, out FieldValue, out LoadFieldError?)"/>.
/// </summary>
public readonly struct FieldValue
{
    private readonly long _bits;
    private readonly decimal _decimal;
    private readonly string? _string;

    private FieldValue(FieldValueType type, long bits = 0, decimal dec = 0, string? str = null)
    {
        Type = type;
        _bits = bits;
        _decimal = dec;
        _string = str;
    }

    /// <summary>What the value is; <see cref="FieldValueType.Null"/> for SQL NULL.</summary>
    public FieldValueType Type { get; }

    /// <summary>True for SQL NULL.</summary>
    public bool IsNull => Type == FieldValueType.Null;

    /// <summary>The integer of an Int16, Int32 or Int64 value.</summary>
    public long Int64 => _bits;

    /// <summary>The value of a Decimal.</summary>
    public decimal Decimal => _decimal;

    /// <summary>The value of a Single or Double.</summary>
    public double Double => BitConverter.Int64BitsToDouble(_bits);

    /// <summary>The value of a Boolean.</summary>
    public bool Boolean => _bits != 0;

    /// <summary>The value of a String.</summary>
    public string? String => _string;

    /// <summary>The value of a Date.</summary>
    public DateOnly Date => DateOnly.FromDayNumber((int)_bits);

    /// <summary>The value of a DateTime (TIMESTAMP: Unspecified kind; TIMESTAMPTZ: UTC kind).</summary>
    public DateTime DateTime => DateTime.FromBinary(_bits);

    /// <summary>The value boxed as its CLR type (short, int, long, decimal, float, double, bool, string, DateOnly, DateTime), or null.</summary>
    public object? ToObject() => Type switch
    {
        FieldValueType.Int16 => (short)_bits,
        FieldValueType.Int32 => (int)_bits,
        FieldValueType.Int64 => _bits,
        FieldValueType.Decimal => _decimal,
        FieldValueType.Single => (float)Double,
        FieldValueType.Double => Double,
        FieldValueType.Boolean => Boolean,
        FieldValueType.String => _string,
        FieldValueType.Date => Date,
        FieldValueType.DateTime => DateTime,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => ToObject()?.ToString() ?? "NULL";

    internal static FieldValue Null => default;

    public static implicit operator FieldValue(short value) => new(FieldValueType.Int16, value);

    public static implicit operator FieldValue(int value) => new(FieldValueType.Int32, value);

    public static implicit operator FieldValue(long value) => new(FieldValueType.Int64, value);

    public static implicit operator FieldValue(decimal value) => new(FieldValueType.Decimal, dec: value);

    public static implicit operator FieldValue(float value) => new(FieldValueType.Single, BitConverter.DoubleToInt64Bits(value));

    public static implicit operator FieldValue(double value) => new(FieldValueType.Double, BitConverter.DoubleToInt64Bits(value));

    public static implicit operator FieldValue(bool value) => new(FieldValueType.Boolean, value ? 1 : 0);

    public static implicit operator FieldValue(string? value) => value is null ? default : new(FieldValueType.String, str: value);

    public static implicit operator FieldValue(DateOnly value) => new(FieldValueType.Date, value.DayNumber);

    public static implicit operator FieldValue(DateTime value) => new(FieldValueType.DateTime, value.ToBinary());
}
