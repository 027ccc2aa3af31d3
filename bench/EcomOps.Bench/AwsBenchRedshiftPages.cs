using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace EcomOps.Bench;

/// <summary>
/// A transactions_data-shaped Redshift Data API result of N rows as GetStatementResult pages, prepared once as bytes:
/// records of typed fields as the Data API sends them (longValue for int8, stringValue for timestamp, numeric and
/// varchar), the column metadata and TotalNumRows on every page, an opaque NextToken on each but the last. The service
/// picks the page size (GetStatementResult takes no MaxResults); pages of 1,000 records are this bench's choice.
/// </summary>
internal sealed class RedshiftPages
{
    public const int PageRows = 1000;
    public const string StatementId = "9d2c6e1a-4b7f-4c3d-8e5a-1f0b2c3d4e5f";

    private static readonly (string Name, string Type, int Precision, int Scale, int Length)[] Columns =
    [
        ("transactionid", "int8", 19, 0, 0), ("customerid", "int8", 19, 0, 0), ("productid", "int8", 19, 0, 0),
        ("timestamp", "timestamp", 29, 6, 0), ("amount", "numeric", 10, 2, 0), ("country", "varchar", 64, 0, 64),
    ];

    private static readonly string[] Countries =
        ["United States", "United Kingdom", "Germany", "France", "Spain", "Italy", "Netherlands", "Sweden", "Poland", "Canada",
         "Australia", "Japan", "Brazil", "Mexico", "India", "Ireland", "Belgium", "Austria", "Denmark", "Norway"];

    private readonly Dictionary<string, int> _pageOfToken = new(StringComparer.Ordinal);

    private RedshiftPages(long rows)
    {
        Rows = rows;
    }

    public long Rows { get; }

    public List<byte[]> Pages { get; } = [];

    /// <summary>The NextToken that asks for each page (null for the first).</summary>
    public List<string?> Tokens { get; } = [];

    public long Bytes => Pages.Sum(p => (long)p.Length);

    public long SumTransactionId { get; private set; }

    public decimal SumAmount { get; private set; }

    public byte[] ExecuteBody { get; } = System.Text.Encoding.UTF8.GetBytes(
        $$"""{"Id":"{{StatementId}}","CreatedAt":1.733054400123E9,"Database":"dev","WorkgroupName":"ecomops"}""");

    public byte[] DescribeBody { get; private set; } = [];

    public static RedshiftPages Build(long rows)
    {
        var built = new RedshiftPages(rows);
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        long next = 1;
        for (var page = 0; page == 0 || next <= rows; page++)
        {
            var token = page == 0 ? null : Token(page);
            built.Tokens.Add(token);
            if (token is not null)
            {
                built._pageOfToken[token] = page;
            }

            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartArray("Records");
                for (var room = PageRows; room > 0 && next <= rows; room--, next++)
                {
                    built.WriteRecord(json, next);
                }

                json.WriteEndArray();
                json.WriteStartArray("ColumnMetadata");
                foreach (var (name, type, precision, scale, length) in Columns)
                {
                    json.WriteStartObject();
                    json.WriteBoolean("isCaseSensitive", type == "varchar");
                    json.WriteBoolean("isCurrency", false);
                    json.WriteBoolean("isSigned", type is "int8" or "numeric");
                    json.WriteString("label", name);
                    json.WriteNumber("length", length);
                    json.WriteString("name", name);
                    json.WriteNumber("nullable", 1);
                    json.WriteNumber("precision", precision);
                    json.WriteNumber("scale", scale);
                    json.WriteString("schemaName", "public");
                    json.WriteString("tableName", "transactions_data");
                    json.WriteString("typeName", type);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNumber("TotalNumRows", rows);
                if (next <= rows)
                {
                    json.WriteString("NextToken", Token(page + 1));
                }

                json.WriteEndObject();
            }

            built.Pages.Add(buffer.WrittenSpan.ToArray());
        }

        built.DescribeBody = System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"Id":"{{StatementId}}","Status":"FINISHED","HasResultSet":true,"ResultRows":{{rows}},"ResultSize":{{built.Bytes}},"Duration":1234567890,"QueryString":"SELECT * FROM public.transactions_data","CreatedAt":1.733054400123E9,"UpdatedAt":1.733054401456E9,"RedshiftQueryId":48213,"RedshiftPid":1073815634,"Database":"dev","WorkgroupName":"ecomops","ResultFormat":"JSON"}"""));
        return built;
    }

    /// <summary>The page a GetStatementResult request asks for, or null when the request is not one the warehouse would send.</summary>
    public byte[]? Answer(byte[] request)
    {
        using var document = JsonDocument.Parse(request);
        var root = document.RootElement;
        if (!root.TryGetProperty("Id", out var id) || id.GetString() != StatementId)
        {
            return null;
        }

        if (!root.TryGetProperty("NextToken", out var token))
        {
            return Pages[0];
        }

        return _pageOfToken.TryGetValue(token.GetString() ?? "", out var page) ? Pages[page] : null;
    }

    private static string Token(int page)
    {
        var bytes = new byte[228];
        new Random(1_000_000 + page).NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, page);
        return Convert.ToBase64String(bytes);
    }

    private void WriteRecord(Utf8JsonWriter json, long i)
    {
        var cents = 100 + (i * 9973 % 99_900);
        var at = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddSeconds(i * 37 % (366L * 86_400)).AddMilliseconds(i % 1000);
        SumTransactionId += i;
        SumAmount += cents / 100m;
        json.WriteStartArray();
        Long(json, i);
        Long(json, 1 + (i * 7919 % 100_000));
        Long(json, 1 + (i * 104_729 % 20_000));
        Text(json, at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        Text(json, (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture));
        Text(json, Countries[i % Countries.Length]);
        json.WriteEndArray();

        static void Long(Utf8JsonWriter json, long value)
        {
            json.WriteStartObject();
            json.WriteNumber("longValue", value);
            json.WriteEndObject();
        }

        static void Text(Utf8JsonWriter json, string value)
        {
            json.WriteStartObject();
            json.WriteString("stringValue", value);
            json.WriteEndObject();
        }
    }
}
