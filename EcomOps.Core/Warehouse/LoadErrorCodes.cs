namespace EcomOps.Core.Warehouse;

/// <summary>
/// Why a field could not be loaded: <see cref="Code"/> is Redshift's <c>stl_load_errors.err_code</c>
/// (see <see cref="LoadErrorCodes"/>), <see cref="Reason"/> its <c>err_reason</c>, with the value appended as Redshift does.
/// </summary>
public sealed record LoadFieldError(int Code, string Reason);

/// <summary>
/// Redshift's load error codes, with the descriptions of the "Load error reference" page of the Amazon Redshift
/// Database Developer Guide (r_Load_Error_Reference). Only the codes a field conversion or a row's shape can raise are here.
/// </summary>
public static class LoadErrorCodes
{
    /// <summary>1202: Input data had more columns than were defined in the DDL.</summary>
    public const int ExtraColumns = 1202;

    /// <summary>1203: Input data had fewer columns than were defined in the DDL.</summary>
    public const int MissingColumns = 1203;

    /// <summary>1204: Input data exceeded the acceptable range for the data type (numbers out of range, strings longer than the column).</summary>
    public const int OutOfRange = 1204;

    /// <summary>1205: Date format is not valid. See DATEFORMAT and TIMEFORMAT strings for valid formats.</summary>
    public const int InvalidDate = 1205;

    /// <summary>1206: Timestamp format is not valid. See DATEFORMAT and TIMEFORMAT strings for valid formats.</summary>
    public const int InvalidTimestamp = 1206;

    /// <summary>1207: Data contained a value outside of the expected range of 0-9.</summary>
    public const int InvalidDigit = 1207;

    /// <summary>1208: FLOAT data type format error.</summary>
    public const int InvalidFloat = 1208;

    /// <summary>1209: DECIMAL data type format error.</summary>
    public const int InvalidDecimal = 1209;

    /// <summary>1210: BOOLEAN data type format error.</summary>
    public const int InvalidBoolean = 1210;

    /// <summary>1213: A field specified as NOT NULL contained no data.</summary>
    public const int NotNullFieldEmpty = 1213;

    /// <summary>1214: Delimiter not found (a row ended before this field, without FILLRECORD).</summary>
    public const int DelimiterNotFound = 1214;

    /// <summary>1220: String contains invalid or unsupported UTF-8 code points.</summary>
    public const int InvalidUtf8 = 1220;

    /// <summary>The description the documentation gives for a code, or null for codes not listed here.</summary>
    public static string? Describe(int code) => code switch
    {
        ExtraColumns => "Input data had more columns than were defined in the DDL.",
        MissingColumns => "Input data had fewer columns than were defined in the DDL.",
        OutOfRange => "Input data exceeded the acceptable range for the data type.",
        InvalidDate => "Date format is not valid. See DATEFORMAT and TIMEFORMAT strings for valid formats.",
        InvalidTimestamp => "Timestamp format is not valid. See DATEFORMAT and TIMEFORMAT strings for valid formats.",
        InvalidDigit => "Data contained a value outside of the expected range of 0-9.",
        InvalidFloat => "FLOAT data type format error.",
        InvalidDecimal => "DECIMAL data type format error.",
        InvalidBoolean => "BOOLEAN data type format error.",
        NotNullFieldEmpty => "A field specified as NOT NULL contained no data.",
        DelimiterNotFound => "Delimiter not found.",
        InvalidUtf8 => "String contains invalid or unsupported UTF-8 code points.",
        _ => null,
    };
}
