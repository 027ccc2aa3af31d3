using System.Text;
using EcomOps.Core.Datasets;

namespace EcomOps.Tests.Datasets;

/// <summary>The converter parses UTF-8 with fast paths; the upload check uses the UTF-16 rules. Both must agree.</summary>
public sealed class ColumnValuesUtf8Tests
{
    private static readonly DatasetColumn Id = DatasetRegistry.Transactions["TransactionID"];
    private static readonly DatasetColumn Stock = DatasetRegistry.Products["Stock"];
    private static readonly DatasetColumn Amount = DatasetRegistry.Transactions["Amount"];
    private static readonly DatasetColumn Signup = DatasetRegistry.Customers["SignupDate"];
    private static readonly DatasetColumn When = DatasetRegistry.Transactions["Timestamp"];
    private static readonly DatasetColumn Name = DatasetRegistry.Customers["Name"];

    public static TheoryData<string, string> Values() => new()
    {
        { "TransactionID", "0" }, { "TransactionID", "1" }, { "TransactionID", "-1" }, { "TransactionID", "+1" }, { "TransactionID", "007" },
        { "TransactionID", "123456789012345678" }, { "TransactionID", "9223372036854775807" }, { "TransactionID", "9223372036854775808" },
        { "TransactionID", "-9223372036854775808" }, { "TransactionID", "" }, { "TransactionID", " 1" }, { "TransactionID", "1 " },
        { "TransactionID", "1.0" }, { "TransactionID", "1e3" }, { "TransactionID", "\u0663" }, { "TransactionID", "0x10" }, { "TransactionID", "1_000" },
        { "TransactionID", "--1" }, { "TransactionID", "-" }, { "TransactionID", "12a" }, { "TransactionID", "000000000000000000000000001" },
        { "Stock", "2147483647" }, { "Stock", "2147483648" }, { "Stock", "-2147483648" }, { "Stock", "999999999" }, { "Stock", "1000000000" }, { "Stock", "1.5" },
        { "Amount", "12.50" }, { "Amount", "12.5" }, { "Amount", "12" }, { "Amount", "12." }, { "Amount", ".5" }, { "Amount", "-0.01" }, { "Amount", "-0.00" },
        { "Amount", "+1.00" }, { "Amount", "99999999.99" }, { "Amount", "100000000.00" }, { "Amount", "-99999999.99" }, { "Amount", "1.005" },
        { "Amount", "1.500" }, { "Amount", "1,5" }, { "Amount", "1e2" }, { "Amount", "00000000000000000001.00" }, { "Amount", "123456789012345678.12" },
        { "Amount", "1234567890123456789" }, { "Amount", "-" }, { "Amount", "." }, { "Amount", "" }, { "Amount", " 1.00" }, { "Amount", "1.00 " },
        { "Amount", "0.1234567890123456789012345678901" }, { "Amount", "79228162514264337593543950336" }, { "Amount", "1.2.3" }, { "Amount", "-.5" },
        { "SignupDate", "2024-01-31" }, { "SignupDate", "2024-02-29" }, { "SignupDate", "2023-02-29" }, { "SignupDate", "2024-13-01" },
        { "SignupDate", "2024-00-10" }, { "SignupDate", "0000-01-01" }, { "SignupDate", "0001-01-01" }, { "SignupDate", "9999-12-31" },
        { "SignupDate", "2024-1-31" }, { "SignupDate", "2024/01/31" }, { "SignupDate", "2024-01-31 " }, { "SignupDate", "24-01-31" },
        { "SignupDate", "2024-01-31T00:00:00" }, { "SignupDate", "\uff12\uff10\uff12\uff14-01-31" }, { "SignupDate", "2024-04-31" },
        { "Timestamp", "2024-01-31 13:45:00" }, { "Timestamp", "2024-01-31T13:45:00" }, { "Timestamp", "2024-01-31 13:45:00.1234567" },
        { "Timestamp", "2024-01-31 13:45:00.12345678" }, { "Timestamp", "2024-01-31 13:45:00." }, { "Timestamp", "2024-01-31 24:00:00" },
        { "Timestamp", "2024-01-31 23:59:60" }, { "Timestamp", "2024-01-31 13:45" }, { "Timestamp", "2024-01-31 13:45:00Z" },
        { "Timestamp", "2024-01-31 13:45:00+01:00" }, { "Timestamp", "2024-01-31t13:45:00" }, { "Timestamp", "2024-02-30 10:00:00" },
        { "Timestamp", "0001-01-01 00:00:00" }, { "Timestamp", "9999-12-31 23:59:59" }, { "Timestamp", "2024-01-31  13:45:00" }, { "Timestamp", "2024-01-31" },
        { "Name", "" }, { "Name", "a" }, { "Name", new string('a', 256) }, { "Name", new string('a', 257) }, { "Name", new string('\u00e9', 128) },
        { "Name", new string('\u00e9', 129) }, { "Name", "Zo\u00eb \U0001F600" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Utf8Rules_AcceptAndRefuseWhatTheUtf16RulesDo_WithTheSameValueAndReason(string columnName, string value)
    {
        var column = Column(columnName);
        var utf8 = Encoding.UTF8.GetBytes(value);

        Assert.Equal(ColumnValues.Problem(column, value), ColumnValues.Problem(column, utf8));
        var accepted = ColumnValues.Problem(column, value) is null;
        switch (column.Type)
        {
            case ColumnType.Int64:
                Assert.Equal(ColumnValues.TryParseInt64(value, out var a), ColumnValues.TryParseInt64(utf8, out var b));
                Assert.Equal(a, b);
                Assert.Equal(accepted, ColumnValues.TryParseInt64(utf8, out _));
                break;
            case ColumnType.Int32:
                Assert.Equal(ColumnValues.TryParseInt32(value, out var c), ColumnValues.TryParseInt32(utf8, out var d));
                Assert.Equal(c, d);
                Assert.Equal(accepted, ColumnValues.TryParseInt32(utf8, out _));
                break;
            case ColumnType.Decimal:
                Assert.Equal(ColumnValues.TryParseDecimal(value, out var e), ColumnValues.TryParseDecimal(utf8, out var f));
                Assert.Equal(e, f);
                Assert.Equal(accepted, ColumnValues.TryParseDecimal(column, utf8, out _));
                break;
            case ColumnType.Date:
                Assert.Equal(ColumnValues.TryParseDate(value, out var g), ColumnValues.TryParseDate(utf8, out var h));
                Assert.Equal(g, h);
                Assert.Equal(accepted, ColumnValues.TryParseDate(utf8, out _));
                break;
            case ColumnType.Timestamp:
                Assert.Equal(ColumnValues.TryParseTimestamp(value, out var i), ColumnValues.TryParseTimestamp(utf8, out var j));
                Assert.Equal(i, j);
                Assert.Equal(i.Kind, j.Kind);
                Assert.Equal(accepted, ColumnValues.TryParseTimestamp(utf8, out _));
                break;
            default:
                Assert.Equal(accepted, ColumnValues.IsValidText(utf8));
                break;
        }
    }

    [Fact]
    public void Utf8Problem_OfBytesThatAreNotUtf8_SaysSo_ForEveryColumnType()
    {
        byte[] latin1 = [.. "Ren"u8, 0xE9];

        foreach (var column in new[] { Id, Stock, Amount, Signup, When, Name })
        {
            Assert.Equal("is not valid UTF-8 (save the file as UTF-8)", ColumnValues.Problem(column, latin1));
        }

        Assert.False(ColumnValues.IsValidText(latin1));
    }

    [Fact]
    public void Utf8Decimal_KeepsTheScaleWritten_AsTheUtf16RulesDo()
    {
        Assert.True(ColumnValues.TryParseDecimal("12.50"u8, out var number));

        Assert.Equal("12.50", number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static DatasetColumn Column(string name) => DatasetRegistry.All.SelectMany(d => d.Columns).First(c => c.Name == name);
}
