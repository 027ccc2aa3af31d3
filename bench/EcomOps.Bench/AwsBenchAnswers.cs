using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EcomOps.Core.Aws;

namespace EcomOps.Bench;

/// <summary>
/// The bench server's answers: fixed bodies shaped as AWS answers them (members, sizes and number formats of real
/// GetQueryExecution, GetJobRun and StartQueryExecution answers), <see cref="AthenaPages"/> for GetQueryResults and
/// <see cref="RedshiftPages"/> for the Redshift Data API's ExecuteStatement, DescribeStatement and GetStatementResult.
/// </summary>
internal sealed class BenchAnswers(AthenaPages? pages, RedshiftPages? statements)
{
    public const string QueryExecutionId = "c4a1e3f2-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    public const string JobName = "ecomops-csv-to-parquet";
    public const string JobRunId = "jr_5f0e2b7c9d1a3e4f6b8c0d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a";

    public static byte[] QueryExecutionBody { get; } = Utf8($$$"""
        {"QueryExecution":{"QueryExecutionId":"{{{QueryExecutionId}}}","Query":"SELECT * FROM transactions_data","StatementType":"DML","ResultConfiguration":{"OutputLocation":"s3://ecomops-lake/athena-results/{{{QueryExecutionId}}}.csv"},"ResultReuseConfiguration":{"ResultReuseByAgeConfiguration":{"Enabled":false}},"QueryExecutionContext":{"Database":"ecom","Catalog":"awsdatacatalog"},"Status":{"State":"SUCCEEDED","SubmissionDateTime":1.733054400123E9,"CompletionDateTime":1.733054402456E9},"Statistics":{"EngineExecutionTimeInMillis":1834,"DataScannedInBytes":48211234,"TotalExecutionTimeInMillis":2333,"QueryQueueTimeInMillis":112,"ServicePreProcessingTimeInMillis":87,"QueryPlanningTimeInMillis":402,"ServiceProcessingTimeInMillis":300,"ResultReuseInformation":{"ReusedPreviousResult":false}},"WorkGroup":"ecomops","EngineVersion":{"SelectedEngineVersion":"AUTO","EffectiveEngineVersion":"Athena engine version 3"},"SubstatementType":"SELECT"}}
        """);

    public static byte[] JobRunBody { get; } = Utf8($$$"""
        {"JobRun":{"Id":"{{{JobRunId}}}","Attempt":0,"JobName":"{{{JobName}}}","JobMode":"SCRIPT","StartedOn":1.733054400123E9,"LastModifiedOn":1.733054521456E9,"CompletedOn":1.733054521456E9,"JobRunState":"SUCCEEDED","Arguments":{"--source":"s3://ecomops-lake/raw/transactions_data/","--target":"s3://ecomops-lake/parquet/transactions_data/","--dataset":"transactions_data","--write-mode":"overwrite","--partition-by":"Timestamp","--job-bookmark-option":"job-bookmark-disable"},"PredecessorRuns":[],"AllocatedCapacity":2,"ExecutionTime":112,"Timeout":60,"MaxCapacity":2.0,"WorkerType":"G.1X","NumberOfWorkers":2,"LogGroupName":"/aws-glue/jobs","GlueVersion":"5.0","ExecutionClass":"STANDARD","DPUSeconds":224.0}}
        """);

    public static byte[] StartQueryBody { get; } = Utf8($$"""{"QueryExecutionId":"{{QueryExecutionId}}"}""");

    public byte[]? Answer(string target, byte[] body)
    {
        if (target == AwsOperations.AthenaGetQueryExecution.Target)
        {
            return QueryExecutionBody;
        }

        if (target == AwsOperations.GlueGetJobRun.Target)
        {
            return JobRunBody;
        }

        if (target == AwsOperations.AthenaStartQueryExecution.Target)
        {
            return StartQueryBody;
        }

        if (statements is not null)
        {
            if (target == AwsOperations.RedshiftDataExecuteStatement.Target)
            {
                return statements.ExecuteBody;
            }

            if (target == AwsOperations.RedshiftDataDescribeStatement.Target)
            {
                return statements.DescribeBody;
            }

            if (target == AwsOperations.RedshiftDataGetStatementResult.Target)
            {
                return statements.Answer(body);
            }
        }

        return target == AwsOperations.AthenaGetQueryResults.Target && pages is not null ? pages.Answer(body) : null;
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text.Trim());
}

/// <summary>
/// A transactions_data-shaped Athena result of N rows as GetQueryResults pages of 1,000 rows, prepared once as bytes:
/// the first page starts with the header row (so holds 999 data rows, as Athena's does), every page repeats the column
/// metadata, and each but the last carries an opaque NextToken of the length Athena's have (~300 characters).
/// </summary>
internal sealed class AthenaPages
{
    public const int PageRows = 1000;

    private static readonly string[] Countries =
        ["United States", "United Kingdom", "Germany", "France", "Spain", "Italy", "Netherlands", "Sweden", "Poland", "Canada",
         "Australia", "Japan", "Brazil", "Mexico", "India", "Ireland", "Belgium", "Austria", "Denmark", "Norway"];

    private static readonly (string Name, string Type, int Precision, int Scale)[] Columns =
    [
        ("transactionid", "bigint", 19, 0), ("customerid", "bigint", 19, 0), ("productid", "bigint", 19, 0),
        ("timestamp", "timestamp", 3, 0), ("amount", "decimal", 10, 2), ("country", "varchar", 2147483647, 0),
    ];

    private readonly Dictionary<string, int> _pageOfToken = new(StringComparer.Ordinal);

    private AthenaPages(long rows)
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

    public static AthenaPages Build(long rows)
    {
        var built = new AthenaPages(rows);
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
                json.WriteNumber("UpdateCount", 0);
                json.WriteStartObject("ResultSet");
                json.WriteStartArray("Rows");
                var room = PageRows;
                if (page == 0)
                {
                    json.WriteStartObject();
                    json.WriteStartArray("Data");
                    foreach (var column in Columns)
                    {
                        json.WriteStartObject();
                        json.WriteString("VarCharValue", column.Name);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                    room--;
                }

                for (; room > 0 && next <= rows; room--, next++)
                {
                    built.WriteRow(json, next);
                }

                json.WriteEndArray();
                json.WriteStartObject("ResultSetMetadata");
                json.WriteStartArray("ColumnInfo");
                foreach (var (name, type, precision, scale) in Columns)
                {
                    json.WriteStartObject();
                    json.WriteString("CatalogName", "hive");
                    json.WriteString("SchemaName", "");
                    json.WriteString("TableName", "");
                    json.WriteString("Name", name);
                    json.WriteString("Label", name);
                    json.WriteString("Type", type);
                    json.WriteNumber("Precision", precision);
                    json.WriteNumber("Scale", scale);
                    json.WriteString("Nullable", "UNKNOWN");
                    json.WriteBoolean("CaseSensitive", type == "varchar");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
                if (next <= rows)
                {
                    json.WriteString("NextToken", Token(page + 1));
                }

                json.WriteEndObject();
            }

            built.Pages.Add(buffer.WrittenSpan.ToArray());
        }

        return built;
    }

    /// <summary>The page a GetQueryResults request asks for, or null when the request is not one the engine would send.</summary>
    public byte[]? Answer(byte[] request)
    {
        using var document = JsonDocument.Parse(request);
        var root = document.RootElement;
        if (!root.TryGetProperty("QueryExecutionId", out var id) || id.GetString() != BenchAnswers.QueryExecutionId
            || !root.TryGetProperty("MaxResults", out var max) || max.GetInt32() != PageRows)
        {
            return null;
        }

        if (!root.TryGetProperty("NextToken", out var token))
        {
            return Pages[0];
        }

        return _pageOfToken.TryGetValue(token.GetString() ?? "", out var page) ? Pages[page] : null;
    }

    // Athena's tokens are opaque base64 of about 300 characters; this one is the page number's, padded to that length.
    private static string Token(int page)
    {
        var bytes = new byte[228];
        new Random(page).NextBytes(bytes);
        BitConverter.TryWriteBytes(bytes, page);
        return Convert.ToBase64String(bytes);
    }

    private void WriteRow(Utf8JsonWriter json, long i)
    {
        var cents = 100 + (i * 9973 % 99_900);
        var at = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddSeconds(i * 37 % (366L * 86_400)).AddMilliseconds(i % 1000);
        SumTransactionId += i;
        SumAmount += cents / 100m;
        json.WriteStartObject();
        json.WriteStartArray("Data");
        Cell(json, i.ToString(CultureInfo.InvariantCulture));
        Cell(json, (1 + (i * 7919 % 100_000)).ToString(CultureInfo.InvariantCulture));
        Cell(json, (1 + (i * 104_729 % 20_000)).ToString(CultureInfo.InvariantCulture));
        Cell(json, at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        Cell(json, (cents / 100m).ToString("0.00", CultureInfo.InvariantCulture));
        Cell(json, Countries[i % Countries.Length]);
        json.WriteEndArray();
        json.WriteEndObject();

        static void Cell(Utf8JsonWriter json, string value)
        {
            json.WriteStartObject();
            json.WriteString("VarCharValue", value);
            json.WriteEndObject();
        }
    }
}
