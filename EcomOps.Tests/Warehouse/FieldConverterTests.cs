using DuckDB.NET.Data;
using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>Field conversion by Redshift's COPY rules: the values a load stores and the err_code/err_reason it reports.</summary>
public sealed class FieldConverterTests
{
    private static readonly CopyOptions Text = new();
    private static readonly CopyOptions Csv = new() { Format = CopyFormat.Csv };

    private static (bool Ok, object? Value, LoadFieldError? Error) Convert(
        CopyOptions options, string type, string? field, bool quoted = false, bool notNull = false)
    {
        var column = new WarehouseColumn("c", WarehouseType.Parse(type), notNull);
        var ok = new FieldConverter(options).TryConvert(field, quoted, column, out var value, out var error);
        Assert.Equal(ok, error is null);
        if (!ok)
        {
            Assert.Null(value);
        }

        return (ok, value, error);
    }

    private static object? Value(CopyOptions options, string type, string? field, bool quoted = false)
    {
        var (ok, value, error) = Convert(options, type, field, quoted);
        Assert.True(ok, error?.Reason);
        return value;
    }

    private static LoadFieldError Error(CopyOptions options, string type, string? field, bool quoted = false, bool notNull = false)
    {
        var (ok, value, error) = Convert(options, type, field, quoted, notNull);
        Assert.False(ok, $"'{field}' loaded as {value}");
        return error!;
    }

    [Theory]
    [InlineData("SMALLINT", "-32768", (short)-32768)]
    [InlineData("SMALLINT", "32767", (short)32767)]
    [InlineData("INTEGER", "-2147483648", int.MinValue)]
    [InlineData("INTEGER", "2147483647", int.MaxValue)]
    [InlineData("INTEGER", " 42 ", 42)]
    [InlineData("INTEGER", "+7", 7)]
    [InlineData("INTEGER", "007", 7)]
    [InlineData("BIGINT", "-9223372036854775808", long.MinValue)]
    [InlineData("BIGINT", "9223372036854775807", long.MaxValue)]
    public void Integer_InRange_LoadsAsItsClrType(string type, string field, object expected) =>
        Assert.Equal(expected, Value(Text, type, field));

    [Theory]
    [InlineData("SMALLINT", "32768")]
    [InlineData("SMALLINT", "-32769")]
    [InlineData("INTEGER", "2147483648")]
    [InlineData("INTEGER", "-2147483649")]
    [InlineData("BIGINT", "9223372036854775808")]
    [InlineData("BIGINT", "-9223372036854775809")]
    [InlineData("BIGINT", "99999999999999999999999")]
    public void Integer_OutOfRange_Is1204(string type, string field)
    {
        var error = Error(Text, type, field);

        Assert.Equal(LoadErrorCodes.OutOfRange, error.Code);
        Assert.Contains($"Value '{field}'", error.Reason);
    }

    [Theory]
    [InlineData("INTEGER", "12a", "Invalid digit, Value 'a', Pos 2, Type: Integer")]
    [InlineData("INTEGER", "1.5", "Invalid digit, Value '.', Pos 1, Type: Integer")]
    [InlineData("BIGINT", "NULL", "Invalid digit, Value 'N', Pos 0, Type: Long")]
    [InlineData("SMALLINT", " 1 2", "Invalid digit, Value ' ', Pos 2, Type: Short")]
    [InlineData("INTEGER", "-", "Invalid digit, Value '-', Pos 0, Type: Integer")]
    [InlineData("INTEGER", "1e3", "Invalid digit, Value 'e', Pos 1, Type: Integer")]
    public void Integer_BadCharacter_Is1207WithRedshiftsReason(string type, string field, string reason) =>
        Assert.Equal(new LoadFieldError(1207, reason), Error(Text, type, field));

    [Theory]
    [InlineData("DECIMAL(10,2)", "12.34", false, "12.34")]
    [InlineData("DECIMAL(10,2)", "12", false, "12.00")]
    [InlineData("DECIMAL(10,2)", "-0.5", false, "-0.50")]
    [InlineData("DECIMAL(10,2)", ".5", false, "0.50")]
    [InlineData("DECIMAL(10,2)", "20.259", false, "20.25")]
    [InlineData("DECIMAL(10,2)", "20.259", true, "20.26")]
    [InlineData("DECIMAL(10,2)", "-20.255", true, "-20.26")]
    [InlineData("DECIMAL(10,2)", "20.254", true, "20.25")]
    [InlineData("DECIMAL(10,2)", "99999999.99", false, "99999999.99")]
    [InlineData("DECIMAL(10,2)", "00000099999999.99", false, "99999999.99")]
    [InlineData("DECIMAL(10,2)", "99999999.999", false, "99999999.99")]
    [InlineData("DECIMAL(18,0)", "123456789012345678", false, "123456789012345678")]
    [InlineData("DECIMAL(28,0)", "9999999999999999999999999999", false, "9999999999999999999999999999")]
    [InlineData("DECIMAL(5,5)", "0.12345", false, "0.12345")]
    [InlineData("DECIMAL(10,2)", " 1.10 ", false, "1.10")]
    public void Decimal_ExtraScaleIsTruncated_OrRoundedWithRoundEc(string type, string field, bool roundEc, string expected)
    {
        var value = Value(Text with { RoundEc = roundEc }, type, field);

        Assert.Equal(expected, ((decimal)value!).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("DECIMAL(10,2)", "123456789.00", false, 1204)]
    [InlineData("DECIMAL(10,2)", "99999999.995", true, 1204)]
    [InlineData("DECIMAL(5,5)", "1.0", false, 1204)]
    [InlineData("DECIMAL(38,0)", "99999999999999999999999999999999999999", false, 1204)]
    [InlineData("DECIMAL(10,2)", "1.2.3", false, 1207)]
    [InlineData("DECIMAL(10,2)", "12,50", false, 1207)]
    [InlineData("DECIMAL(10,2)", "1e5", false, 1207)]
    [InlineData("DECIMAL(10,2)", "-", false, 1209)]
    [InlineData("DECIMAL(10,2)", ".", false, 1209)]
    public void Decimal_OverflowOrBadText_IsRefused(string type, string field, bool roundEc, int code)
    {
        var error = Error(Text with { RoundEc = roundEc }, type, field);

        Assert.Equal(code, error.Code);
        Assert.EndsWith("Type: Decimal", error.Reason);
    }

    [Theory]
    [InlineData("DOUBLE PRECISION", "1.5", 1.5)]
    [InlineData("DOUBLE PRECISION", "-2.5e-3", -0.0025)]
    [InlineData("FLOAT8", "1E308", 1e308)]
    [InlineData("DOUBLE PRECISION", "-Infinity", double.NegativeInfinity)]
    [InlineData("DOUBLE PRECISION", "inf", double.PositiveInfinity)]
    [InlineData("DOUBLE PRECISION", "NaN", double.NaN)]
    public void Double_InvariantText_Loads(string type, string field, double expected) =>
        Assert.Equal(expected, Value(Text, type, field));

    [Fact]
    public void Real_LoadsAsFloat_AndOverflowIs1204()
    {
        Assert.Equal(1.25f, Value(Text, "REAL", "1.25"));
        Assert.Equal(float.NegativeInfinity, Value(Text, "REAL", "-inf"));
        Assert.Equal(float.NaN, Value(Text, "FLOAT4", "nan"));
        Assert.Equal(1204, Error(Text, "REAL", "1e39").Code);
        Assert.Equal(1204, Error(Text, "DOUBLE PRECISION", "1e309").Code);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("abc")]
    [InlineData("1.5.5")]
    [InlineData("∞")]
    public void Double_BadText_Is1208(string field) =>
        Assert.Equal(LoadErrorCodes.InvalidFloat, Error(Text, "DOUBLE PRECISION", field).Code);

    [Theory]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("y", true)]
    [InlineData("Yes", true)]
    [InlineData("f", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    [InlineData("N", false)]
    [InlineData("no", false)]
    public void Boolean_RedshiftsLiterals_LoadCaseInsensitively(string field, bool expected) =>
        Assert.Equal(expected, Value(Text, "BOOLEAN", field));

    [Theory]
    [InlineData("2")]
    [InlineData("on")]
    [InlineData("truth")]
    public void Boolean_OtherText_Is1210(string field) =>
        Assert.Equal(new LoadFieldError(1210, $"BOOLEAN data type format error, Value '{field}', Type: Boolean"), Error(Text, "BOOLEAN", field));

    [Fact]
    public void NullAs_DefaultBackslashN_IsNull_InTextAndCsv_ButNotWhenQuoted()
    {
        Assert.Null(Value(Text, "INTEGER", "\\N"));
        Assert.Null(Value(Text, "VARCHAR(10)", "\\N"));
        Assert.Null(Value(Csv, "VARCHAR(10)", "\\N"));
        Assert.Equal("\\N", Value(Csv, "VARCHAR(10)", "\\N", quoted: true));
    }

    [Fact]
    public void NullAs_GivenString_IsNull_AndBackslashNIsThenData()
    {
        var options = Text with { NullAs = "NULL" };

        Assert.Null(Value(options, "VARCHAR(10)", "NULL"));
        Assert.Null(Value(options, "BIGINT", "NULL"));
        Assert.Equal("\\N", Value(options, "VARCHAR(10)", "\\N"));
        Assert.Equal("null", Value(options, "VARCHAR(10)", "null"));
    }

    [Fact]
    public void EmptyField_CharColumns_EmptyStringInText_NullInCsvUnquoted_EmptyWhenQuoted()
    {
        Assert.Equal("", Value(Text, "VARCHAR(10)", ""));
        Assert.Null(Value(Text with { EmptyAsNull = true }, "VARCHAR(10)", ""));
        Assert.Null(Value(Text with { EmptyAsNull = true }, "CHAR(3)", ""));
        Assert.Null(Value(Csv, "VARCHAR(10)", ""));
        Assert.Equal("", Value(Csv, "VARCHAR(10)", "", quoted: true));
        Assert.Null(Value(Csv with { EmptyAsNull = true }, "VARCHAR(10)", "", quoted: true));
    }

    [Theory]
    [InlineData("INTEGER")]
    [InlineData("DECIMAL(10,2)")]
    [InlineData("DATE")]
    [InlineData("TIMESTAMP")]
    [InlineData("BOOLEAN")]
    [InlineData("DOUBLE PRECISION")]
    public void EmptyOrBlankField_OtherTypes_IsAlwaysNull(string type)
    {
        Assert.Null(Value(Text, type, ""));
        Assert.Null(Value(Text, type, "   "));
        Assert.Null(Value(Csv, type, "", quoted: true));
    }

    [Fact]
    public void BlanksAsNull_WhitespaceOnlyCharField_IsNull_OtherwiseKept()
    {
        Assert.Equal("  ", Value(Text, "VARCHAR(10)", "  "));
        Assert.Null(Value(Text with { BlanksAsNull = true }, "VARCHAR(10)", " \t "));
        Assert.Equal(" a ", Value(Text with { BlanksAsNull = true }, "VARCHAR(10)", " a "));
        Assert.Equal("", Value(Text with { BlanksAsNull = true }, "VARCHAR(10)", ""));
    }

    [Theory]
    [InlineData("INTEGER", "\\N")]
    [InlineData("INTEGER", "")]
    [InlineData("VARCHAR(5)", "\\N")]
    [InlineData("DATE", " ")]
    public void NotNullColumn_NullField_Is1213(string type, string field) =>
        Assert.Equal(new LoadFieldError(1213, "Missing data for not-null field"), Error(Text, type, field, notNull: true));

    [Fact]
    public void AbsentField_Is1214_UnlessFillRecordMakesItNull()
    {
        Assert.Equal(new LoadFieldError(1214, "Delimiter not found"), Error(Text, "INTEGER", null));
        Assert.Null(Value(Text with { FillRecord = true }, "INTEGER", null));
        Assert.Equal(1213, Error(Text with { FillRecord = true }, "INTEGER", null, notNull: true).Code);
    }

    [Theory]
    [InlineData("VARCHAR(5)", "abcde", "abcde")]
    [InlineData("VARCHAR(6)", "héllo", "héllo")] // é is 2 bytes: 6 bytes fit exactly
    [InlineData("VARCHAR(6)", "日本", "日本")]
    [InlineData("VARCHAR(4)", "😀", "😀")]
    [InlineData("CHAR(3)", "ab ", "ab")]
    [InlineData("CHAR(2)", "ab   ", "ab")]
    [InlineData("VARCHAR(3)", "ab ", "ab ")]
    public void Text_WithinDdlLengthInUtf8Bytes_Loads(string type, string field, string expected) =>
        Assert.Equal(expected, Value(Text, type, field));

    [Theory]
    [InlineData("VARCHAR(5)", "abcdef", 6)]
    [InlineData("VARCHAR(5)", "héllo", 6)]
    [InlineData("VARCHAR(5)", "日本", 6)]
    [InlineData("VARCHAR(3)", "😀", 4)]
    public void Text_OverDdlLength_Is1204(string type, string field, int bytes)
    {
        var error = Error(Text, type, field);

        Assert.Equal(1204, error.Code);
        Assert.StartsWith($"String length exceeds DDL length, Value '{field}', Length {bytes}", error.Reason);
    }

    [Theory]
    [InlineData("VARCHAR(5)", "abcdef", "abcde")]
    [InlineData("VARCHAR(5)", "héllo", "héll")]
    [InlineData("VARCHAR(5)", "日本語", "日")]
    [InlineData("VARCHAR(7)", "ab😀😀", "ab😀")]
    [InlineData("VARCHAR(3)", "😀", "")]
    public void TruncateColumns_CutsOnAUtf8CharacterBoundary(string type, string field, string expected) =>
        Assert.Equal(expected, Value(Text with { TruncateColumns = true }, type, field));

    [Fact]
    public void TrimBlanks_RemovesTrailingBlanksBeforeTheLengthCheck()
    {
        Assert.Equal("abc", Value(Text with { TrimBlanks = true }, "VARCHAR(3)", "abc   "));
        Assert.Equal(1204, Error(Text, "VARCHAR(3)", "abc   ").Code);
    }

    [Fact]
    public void InvalidUtf8_Is1220_OrReplacedWithAcceptInvChars()
    {
        const string lone = "a\uD800b";
        const string decoded = "a\uFFFDb";

        Assert.Equal(1220, Error(Text, "VARCHAR(10)", lone).Code);
        Assert.Contains("Pos 1", Error(Text, "VARCHAR(10)", decoded).Reason);
        Assert.Equal("a?b", Value(Text with { AcceptInvChars = '?' }, "VARCHAR(10)", lone));
        Assert.Equal("a^b", Value(Text with { AcceptInvChars = '^' }, "VARCHAR(10)", decoded));
        Assert.Equal("😀", Value(Text, "VARCHAR(10)", "😀"));
    }

    [Fact]
    public void Char_MultibyteCharacter_Is1220_AsRedshiftAllowsOnlySingleByteInChar()
    {
        var error = Error(Text, "CHAR(10)", "日本");

        Assert.Equal(1220, error.Code);
        Assert.StartsWith("Multibyte character not supported for CHAR", error.Reason);
    }

    [Theory]
    [InlineData(null, "2024-02-29", 2024, 2, 29)]
    [InlineData(null, " 2024-01-05 ", 2024, 1, 5)]
    [InlineData(null, "0001-01-01", 1, 1, 1)]
    [InlineData(null, "9999-12-31", 9999, 12, 31)]
    [InlineData("auto", "2024-01-05", 2024, 1, 5)]
    [InlineData("auto", "20240105", 2024, 1, 5)]
    [InlineData("auto", "01/05/2024", 2024, 1, 5)]
    [InlineData("auto", "1/5/2024", 2024, 1, 5)]
    [InlineData("auto", "12.17.1997", 1997, 12, 17)]
    [InlineData("auto", "2024/01/05", 2024, 1, 5)]
    [InlineData("auto", "Jan 5, 2024", 2024, 1, 5)]
    [InlineData("auto", "January 5, 2024", 2024, 1, 5)]
    [InlineData("auto", "5 Jan 2024", 2024, 1, 5)]
    [InlineData("auto", "05-JAN-2024", 2024, 1, 5)]
    [InlineData("auto", "1996.008", 1996, 1, 8)]
    [InlineData("auto", "J2451545", 2000, 1, 1)]
    [InlineData("auto", "960108", 1996, 1, 8)]
    [InlineData("auto", "2019-02-11T05:09:12.195Z", 2019, 2, 11)]
    [InlineData("auto", "1996-01-08 04:05:06.789", 1996, 1, 8)]
    [InlineData("MM/DD/YYYY", "02/29/2024", 2024, 2, 29)]
    [InlineData("DD.MM.YYYY", "29.02.2024", 2024, 2, 29)]
    [InlineData("YYYYMMDD", "20240229", 2024, 2, 29)]
    [InlineData("DD MON YYYY", "29 feb 2024", 2024, 2, 29)]
    [InlineData("MON DD, YY", "Feb 29, 24", 2024, 2, 29)]
    [InlineData("YYYY-DDD", "2024-060", 2024, 2, 29)]
    public void Date_ByDateFormat_LoadsAsDateOnly(string? format, string field, int y, int m, int d) =>
        Assert.Equal(new DateOnly(y, m, d), Value(Text with { DateFormat = format }, "DATE", field));

    [Theory]
    [InlineData(null, "2024-02-30")]
    [InlineData(null, "2023-02-29")]
    [InlineData(null, "2024-13-01")]
    [InlineData(null, "2024-00-10")]
    [InlineData(null, "2024/01/05")]
    [InlineData(null, "01/05/2024")]
    [InlineData(null, "2024-01-05 10:00:00")]
    [InlineData(null, "0000-01-01")]
    [InlineData("auto", "2024-02-30")]
    [InlineData("auto", "yesterday")]
    [InlineData("auto", "00/00/00")]
    [InlineData("auto", "Foo 5, 2024")]
    [InlineData("MM/DD/YYYY", "2024-01-05")]
    [InlineData("MM/DD/YYYY", "13/01/2024")]
    [InlineData("YYYY-DDD", "2023-366")]
    public void Date_NotMatchingOrImpossible_Is1205_OrNullWithAcceptAnyDate(string? format, string field)
    {
        var options = Text with { DateFormat = format };
        var error = Error(options, "DATE", field);

        Assert.Equal(1205, error.Code);
        Assert.StartsWith($"Invalid Date Format, Value '{field}'", error.Reason);
        Assert.Null(Value(options with { AcceptAnyDate = true }, "DATE", field));
    }

    [Fact]
    public void AcceptAnyDate_UnparseableDateInNotNullColumn_Is1213()
    {
        var options = Text with { AcceptAnyDate = true };

        Assert.Equal(1213, Error(options, "DATE", "00/00/00", notNull: true).Code);
    }

    [Theory]
    [InlineData(null, "2024-02-29 23:59:59", "2024-02-29T23:59:59.0000000")]
    [InlineData(null, "2024-01-05 10:11:12.5", "2024-01-05T10:11:12.5000000")]
    [InlineData(null, "2024-01-05 10:11:12.123456789", "2024-01-05T10:11:12.1234560")]
    [InlineData(null, "2024-01-05", "2024-01-05T00:00:00.0000000")]
    [InlineData(null, "2024-01-05 10:11:12+02", "2024-01-05T10:11:12.0000000")]
    [InlineData("auto", "2019-02-11T05:09:12.195Z", "2019-02-11T05:09:12.1950000")]
    [InlineData("auto", "19960108 040809", "1996-01-08T04:08:09.0000000")]
    [InlineData("auto", "12/17/1997 07:37:16.00 PST", "1997-12-17T07:37:16.0000000")]
    [InlineData("auto", "01/05/2024 1:02 PM", "2024-01-05T13:02:00.0000000")]
    [InlineData("auto", "01/05/2024 12:00 AM", "2024-01-05T00:00:00.0000000")]
    [InlineData("YYYY-MM-DD HH:MI:SS", "2024-01-05 23:00:00", "2024-01-05T23:00:00.0000000")]
    [InlineData("MM/DD/YYYY HH12:MI:SS AM", "01/05/2024 11:30:00 PM", "2024-01-05T23:30:00.0000000")]
    [InlineData("DD.MM.YYYY HH24:MI", "05.01.2024 07:08", "2024-01-05T07:08:00.0000000")]
    [InlineData("YYYY-MM-DD HH:MI:SS.SSS", "2024-01-05 07:08:09.123", "2024-01-05T07:08:09.1230000")]
    [InlineData("YYYYMMDDHHMISS", "20240105070809", "2024-01-05T07:08:09.0000000")]
    [InlineData("YYYY-MM-DDTHH:MI:SS", "2024-01-05T07:08:09", "2024-01-05T07:08:09.0000000")]
    [InlineData("YYYY-MM-DD HH:MI:SS", "2024-01-05 07:08:09.25", "2024-01-05T07:08:09.2500000")]
    [InlineData("MM/DD/YYYY HH24:MI:SS.SS", "01/05/2024 07:08:09.25", "2024-01-05T07:08:09.2500000")]
    [InlineData("epochsecs", "0", "1970-01-01T00:00:00.0000000")]
    [InlineData("epochsecs", "1709251199", "2024-02-29T23:59:59.0000000")]
    [InlineData("epochsecs", "-86400", "1969-12-31T00:00:00.0000000")]
    [InlineData("epochmillisecs", "1709251199123", "2024-02-29T23:59:59.1230000")]
    public void Timestamp_ByTimeFormat_LoadsAsDateTime(string? format, string field, string expected)
    {
        var value = (DateTime)Value(Text with { TimeFormat = format }, "TIMESTAMP", field)!;

        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Unspecified, value.Kind);
    }

    [Theory]
    [InlineData(null, "2024-02-30 10:00:00")]
    [InlineData(null, "2024-01-05 24:00:00")]
    [InlineData(null, "2024-01-05 10:60:00")]
    [InlineData(null, "2024-01-05T10:00:00")]
    [InlineData(null, "2024-01-05 10:00:00 nonsense")]
    [InlineData("auto", "not a time")]
    [InlineData("auto", "1709251199")]
    [InlineData("epochsecs", "12.5")]
    [InlineData("epochsecs", "99999999999999999")]
    [InlineData("MM/DD/YYYY HH12:MI AM", "01/05/2024 13:00 PM")]
    public void Timestamp_NotMatchingOrImpossible_Is1206(string? format, string field)
    {
        var options = Text with { TimeFormat = format };

        Assert.Equal(1206, Error(options, "TIMESTAMP", field).Code);
        Assert.Null(Value(options with { AcceptAnyDate = true }, "TIMESTAMP", field));
    }

    [Theory]
    [InlineData(null, "2024-01-05 10:00:00", "2024-01-05T10:00:00.0000000Z")]
    [InlineData(null, "2024-01-05 10:00:00+02", "2024-01-05T08:00:00.0000000Z")]
    [InlineData(null, "2024-01-05 01:00:00-05:30", "2024-01-05T06:30:00.0000000Z")]
    [InlineData("auto", "2019-02-11T05:09:12.195Z", "2019-02-11T05:09:12.1950000Z")]
    [InlineData("auto", "1997-12-17 07:37:16-08", "1997-12-17T15:37:16.0000000Z")]
    [InlineData("auto", "12/17/1997 07:37:16.00 PST", "1997-12-17T15:37:16.0000000Z")]
    [InlineData("epochsecs", "1700000000", "2023-11-14T22:13:20.0000000Z")]
    public void TimestampTz_ZoneApplied_LoadsAsUtc(string? format, string field, string expected)
    {
        var value = (DateTime)Value(Text with { TimeFormat = format }, "TIMESTAMPTZ", field)!;

        Assert.Equal(expected, value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Utc, value.Kind);
    }

    [Theory]
    [InlineData("QQ-YYYY", null)]
    [InlineData(null, "HH:MI")]
    public void Formats_WithoutAYearOrWithUnknownElements_AreRefusedUpFront(string? dateFormat, string? timeFormat) =>
        Assert.Throws<ArgumentException>(() => new FieldConverter(Text with { DateFormat = dateFormat, TimeFormat = timeFormat }));

    [Fact]
    public void For_ReturnsOneConverterPerColumn_ThatConvertsLikeTryConvert()
    {
        var converter = new FieldConverter(Csv);
        var column = new WarehouseColumn("amount", WarehouseType.Parse("DECIMAL(10,2)"), NotNull: true);

        var perColumn = converter.For(column);

        Assert.Same(perColumn, converter.For(column));
        Assert.True(perColumn.TryConvert("154.30", false, out var value, out _));
        Assert.Equal(154.30m, value);
        Assert.False(perColumn.TryConvert("", false, out _, out var error));
        Assert.Equal(1213, error!.Code);
    }

    [Fact]
    public void SpanOverload_ConvertsFromABufferSlice_LikeTheStringOverload()
    {
        var converter = new FieldConverter(Csv);
        var line = "42,2024-02-29 10:00:00,12.345,Köln,".AsSpan();
        WarehouseColumn Col(string type) => new("c", WarehouseType.Parse(type), NotNull: false);

        Assert.True(converter.For(Col("INTEGER")).TryConvert(line[..2], false, out var n, out _));
        Assert.True(converter.For(Col("TIMESTAMP")).TryConvert(line[3..22], false, out var ts, out _));
        Assert.True(converter.For(Col("DECIMAL(10,2)")).TryConvert(line[23..29], false, out var amount, out _));
        Assert.True(converter.For(Col("VARCHAR(5)")).TryConvert(line[30..34], false, out var city, out _));
        Assert.True(converter.For(Col("VARCHAR(5)")).TryConvert(line[35..], false, out var empty, out _));
        Assert.False(converter.For(Col("SMALLINT")).TryConvert("9x".AsSpan(), false, out _, out var error));

        Assert.Equal((42, new DateTime(2024, 2, 29, 10, 0, 0), 12.34m, "Köln", (object?)null), (n, ts, amount, city, empty));
        Assert.Equal("Invalid digit, Value 'x', Pos 1, Type: Short", error!.Reason);
    }

    [Theory]
    [InlineData("DECIMAL(18,4)", "-99999999999999.9999", "-99999999999999.9999")]
    [InlineData("DECIMAL(19,4)", "999999999999999.9999", "999999999999999.9999")]
    [InlineData("DECIMAL(38,10)", "123456789012345678.0123456789", "123456789012345678.0123456789")]
    [InlineData("DECIMAL(18,2)", "0.00", "0.00")]
    [InlineData("DECIMAL(18,2)", "-0.001", "0.00")]
    public void Decimal_WideAndNarrowPrecisions_KeepEveryDigit(string type, string field, string expected) =>
        Assert.Equal(expected, ((decimal)Value(Text, type, field)!).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ConvertedValues_AppendToTheTranslatedDuckDbTable_AndReadBackUnchanged()
    {
        var table = new WarehouseTable("public", "all_types",
        [
            new("s", WarehouseType.Parse("SMALLINT"), false), new("i", WarehouseType.Parse("INTEGER"), false),
            new("b", WarehouseType.Parse("BIGINT"), true), new("d", WarehouseType.Parse("DECIMAL(10,2)"), false),
            new("r", WarehouseType.Parse("REAL"), false), new("f", WarehouseType.Parse("FLOAT8"), false),
            new("t", WarehouseType.Parse("BOOLEAN"), false), new("c", WarehouseType.Parse("CHAR(2)"), false),
            new("v", WarehouseType.Parse("VARCHAR(20)"), false), new("dt", WarehouseType.Parse("DATE"), false),
            new("ts", WarehouseType.Parse("TIMESTAMP"), false), new("tz", WarehouseType.Parse("TIMESTAMPTZ"), false),
        ]);
        string?[] row = ["-32768", "2147483647", "9223372036854775807", "12345678.99", "1.5", "-2.25", "yes", "ab", "Köln 😀",
            "2024-02-29", "2024-02-29 23:59:59.123456", "2024-02-29 23:00:00-02"];
        var converter = new FieldConverter(Csv);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = RedshiftDdl.ToDuckDb(table);
            create.ExecuteNonQuery();
        }

        using (var appender = connection.CreateAppender("public", "all_types"))
        {
            var appended = appender.CreateRow();
            for (var c = 0; c < row.Length; c++)
            {
                Assert.True(converter.TryConvert(row[c], false, table.Columns[c], out var value, out var error), error?.Reason);
                appended = value switch
                {
                    short v => appended.AppendValue(v),
                    int v => appended.AppendValue(v),
                    long v => appended.AppendValue(v),
                    decimal v => appended.AppendValue(v),
                    float v => appended.AppendValue(v),
                    double v => appended.AppendValue(v),
                    bool v => appended.AppendValue(v),
                    string v => appended.AppendValue(v),
                    DateOnly v => appended.AppendValue(v),
                    DateTime v => appended.AppendValue(v),
                    _ => throw new InvalidOperationException($"unexpected {value?.GetType()}"),
                };
            }

            appended.EndRow();
        }

        using var read = connection.CreateCommand();
        read.CommandText = """
            SELECT s::VARCHAR || '|' || i || '|' || b || '|' || d || '|' || r || '|' || f || '|' || t || '|' || c || '|' || v
                || '|' || dt || '|' || ts || '|' || strftime(tz AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')
            FROM public.all_types
            """;
        Assert.Equal(
            "-32768|2147483647|9223372036854775807|12345678.99|1.5|-2.25|true|ab|Köln 😀|2024-02-29|2024-02-29 23:59:59.123456|2024-03-01 01:00:00",
            read.ExecuteScalar());
    }

    [Fact]
    public void TryConvertValue_GivesTheSameValuesUnboxed()
    {
        var converter = new FieldConverter(Text with { TimeFormat = "auto" });
        FieldValue Typed(string type, string? field)
        {
            Assert.True(converter.For(new("c", WarehouseType.Parse(type), false)).TryConvertValue(field, false, out var v, out var e), e?.Reason);
            return v;
        }

        Assert.Equal((FieldValueType.Int16, -5L), (Typed("SMALLINT", "-5").Type, Typed("SMALLINT", "-5").Int64));
        Assert.Equal(long.MaxValue, Typed("BIGINT", "9223372036854775807").Int64);
        Assert.Equal(12.35m, Typed("DECIMAL(10,2)", "12.35").Decimal);
        Assert.Equal((FieldValueType.Single, 1.5), (Typed("REAL", "1.5").Type, Typed("REAL", "1.5").Double));
        Assert.True(Typed("BOOLEAN", "t").Boolean);
        Assert.Equal("x", Typed("VARCHAR(3)", "x").String);
        Assert.Equal(new DateOnly(2024, 2, 29), Typed("DATE", "2024-02-29").Date);
        var utc = Typed("TIMESTAMPTZ", "2024-02-29T10:00:00+01:00").DateTime;
        Assert.Equal((new DateTime(2024, 2, 29, 9, 0, 0), DateTimeKind.Utc), (utc, utc.Kind));
        Assert.True(Typed("INTEGER", "\\N").IsNull);
        Assert.Equal(-5, Typed("INTEGER", "-5").ToObject());
    }
}
