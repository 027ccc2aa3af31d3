using DuckDB.NET.Data;
using EcomOps.Core.Datasets;
using EcomOps.Core.Warehouse;

namespace EcomOps.Tests.Warehouse;

/// <summary>The Redshift DDL reader and its DuckDB rendering, on the project's own DDL and on the constructs a loader meets.</summary>
public sealed class RedshiftDdlTests
{
    private static string RepoDdl()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "sql", "redshift_ddl.sql")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir.FullName, "sql", "redshift_ddl.sql"));
    }

    [Theory]
    [InlineData("int2", WarehouseTypeKind.SmallInt, "SMALLINT", "SMALLINT")]
    [InlineData("SMALLINT", WarehouseTypeKind.SmallInt, "SMALLINT", "SMALLINT")]
    [InlineData("int", WarehouseTypeKind.Integer, "INTEGER", "INTEGER")]
    [InlineData("INT4", WarehouseTypeKind.Integer, "INTEGER", "INTEGER")]
    [InlineData("integer", WarehouseTypeKind.Integer, "INTEGER", "INTEGER")]
    [InlineData("int8", WarehouseTypeKind.BigInt, "BIGINT", "BIGINT")]
    [InlineData("BIGINT", WarehouseTypeKind.BigInt, "BIGINT", "BIGINT")]
    [InlineData("decimal", WarehouseTypeKind.Decimal, "DECIMAL(18,0)", "DECIMAL(18,0)")]
    [InlineData("NUMERIC(10, 2)", WarehouseTypeKind.Decimal, "DECIMAL(10,2)", "DECIMAL(10,2)")]
    [InlineData("decimal(38)", WarehouseTypeKind.Decimal, "DECIMAL(38,0)", "DECIMAL(38,0)")]
    [InlineData("real", WarehouseTypeKind.Real, "REAL", "REAL")]
    [InlineData("FLOAT4", WarehouseTypeKind.Real, "REAL", "REAL")]
    [InlineData("double   precision", WarehouseTypeKind.Double, "DOUBLE PRECISION", "DOUBLE")]
    [InlineData("float8", WarehouseTypeKind.Double, "DOUBLE PRECISION", "DOUBLE")]
    [InlineData("FLOAT", WarehouseTypeKind.Double, "DOUBLE PRECISION", "DOUBLE")]
    [InlineData("bool", WarehouseTypeKind.Boolean, "BOOLEAN", "BOOLEAN")]
    [InlineData("char", WarehouseTypeKind.Char, "CHAR(1)", "VARCHAR")]
    [InlineData("CHARACTER(3)", WarehouseTypeKind.Char, "CHAR(3)", "VARCHAR")]
    [InlineData("nchar(2)", WarehouseTypeKind.Char, "CHAR(2)", "VARCHAR")]
    [InlineData("bpchar", WarehouseTypeKind.Char, "CHAR(1)", "VARCHAR")]
    [InlineData("varchar", WarehouseTypeKind.Varchar, "VARCHAR(256)", "VARCHAR")]
    [InlineData("character varying(30)", WarehouseTypeKind.Varchar, "VARCHAR(30)", "VARCHAR")]
    [InlineData("NVARCHAR(10)", WarehouseTypeKind.Varchar, "VARCHAR(10)", "VARCHAR")]
    [InlineData("text", WarehouseTypeKind.Varchar, "VARCHAR(256)", "VARCHAR")]
    [InlineData("varchar(max)", WarehouseTypeKind.Varchar, "VARCHAR(65535)", "VARCHAR")]
    [InlineData("date", WarehouseTypeKind.Date, "DATE", "DATE")]
    [InlineData("timestamp", WarehouseTypeKind.Timestamp, "TIMESTAMP", "TIMESTAMP")]
    [InlineData("timestamp without time zone", WarehouseTypeKind.Timestamp, "TIMESTAMP", "TIMESTAMP")]
    [InlineData("timestamptz", WarehouseTypeKind.TimestampTz, "TIMESTAMPTZ", "TIMESTAMPTZ")]
    [InlineData("TIMESTAMP WITH TIME ZONE", WarehouseTypeKind.TimestampTz, "TIMESTAMPTZ", "TIMESTAMPTZ")]
    public void ParseType_AcceptsRedshiftNamesAndAliases(string text, WarehouseTypeKind kind, string sql, string duckDb)
    {
        var type = WarehouseType.Parse(text);

        Assert.Equal((kind, sql, duckDb), (type.Kind, type.Sql, type.DuckDbSql));
    }

    [Theory]
    [InlineData("geometry", "geometry")]
    [InlineData("varchar(0)", "varchar(0)")]
    [InlineData("decimal(39,2)", "decimal(39,2)")]
    [InlineData("decimal(5,6)", "decimal(5,6)")]
    [InlineData("integer(4)", "integer(4)")]
    [InlineData("char(5000)", "char(5000)")]
    public void ParseType_Unsupported_FailsNamingTheType(string text, string named)
    {
        var e = Assert.Throws<FormatException>(() => WarehouseType.Parse(text));

        Assert.Contains($"'{named}'", e.Message);
    }

    [Fact]
    public void ProjectDdl_ParsesToTheThreeDatasets_WithTheRegistrysColumnsAndTypes()
    {
        var tables = RedshiftDdl.Parse(RepoDdl());

        Assert.Equal(DatasetRegistry.All.Select(d => d.Name), tables.Select(t => t.Name));
        foreach (var (table, dataset) in tables.Zip(DatasetRegistry.All))
        {
            Assert.Equal("public", table.Schema);
            Assert.Equal(dataset.Columns.Select(c => c.Name.ToLowerInvariant()), table.Columns.Select(c => c.Name));
            foreach (var (column, expected) in table.Columns.Zip(dataset.Columns))
            {
                var type = column.Type;
                var matches = expected.Type switch
                {
                    ColumnType.Int64 => type.Kind == WarehouseTypeKind.BigInt,
                    ColumnType.Int32 => type.Kind == WarehouseTypeKind.Integer,
                    ColumnType.String => type.Kind == WarehouseTypeKind.Varchar,
                    ColumnType.Date => type.Kind == WarehouseTypeKind.Date,
                    ColumnType.Timestamp => type.Kind == WarehouseTypeKind.Timestamp,
                    ColumnType.Decimal => type == new WarehouseType(WarehouseTypeKind.Decimal, Precision: expected.Precision, Scale: expected.Scale),
                    _ => false,
                };
                Assert.True(matches, $"{table.Name}.{column.Name} is {type.Sql} in the DDL but {expected.Type} in the registry");
            }
        }

        Assert.True(tables[2].Columns.Take(3).All(c => c.NotNull));
        Assert.False(tables[2].Columns[3].NotNull);
    }

    [Fact]
    public void ProjectDdl_TranslatedForDuckDb_RunsAndCreatesTheTables_WithoutKeys()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (var table in RedshiftDdl.Parse(RepoDdl()))
        {
            using var create = connection.CreateCommand();
            create.CommandText = RedshiftDdl.ToDuckDb(table);
            create.ExecuteNonQuery();
            create.ExecuteNonQuery(); // IF NOT EXISTS: a second run is harmless.
        }

        using var insert = connection.CreateCommand();
        // A duplicate key and an unknown customer load, as they would on Redshift (keys are informational there).
        insert.CommandText = """
            INSERT INTO public.transactions_data VALUES (1, 99, 7, TIMESTAMP '2024-02-29 10:00:00', 12.34, 'DE');
            INSERT INTO public.transactions_data VALUES (1, 98, 7, NULL, NULL, NULL);
            SELECT count(*) FROM public.transactions_data;
            """;
        Assert.Equal(2L, Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));

        using var types = connection.CreateCommand();
        types.CommandText = "SELECT data_type FROM information_schema.columns WHERE table_name = 'catalog_data' AND column_name = 'price'";
        Assert.Equal("DECIMAL(10,2)", types.ExecuteScalar());

        using var notNull = connection.CreateCommand();
        notNull.CommandText = "INSERT INTO public.customer_data VALUES (NULL, 'a', 'b', 'c', DATE '2024-01-01')";
        Assert.ThrowsAny<Exception>(() => notNull.ExecuteNonQuery());
    }

    [Fact]
    public void Parse_FullRedshiftSyntax_DropsPhysicalAttributesAndConstraints()
    {
        const string ddl = """
            /* A multi-line
               comment */
            create table if not exists Sales.OrderLines (
                Id bigint identity(1,1) primary key,
                "LineNo" int2 not null encode az64,   -- trailing comment
                Sku varchar(32) unique references sales.sku(code),
                Amount numeric(12,4) default 0 not null,
                Note text null default 'none',
                Created timestamp with time zone default getdate(),
                Flag boolean default true,
                Ratio float,
                Code character(3) encode bytedict,
                Id2 bigint generated by default as identity(1,1),
                constraint pk primary key (Id),
                foreign key (Sku) references sales.sku (code),
                unique (Sku, "LineNo")
            )
            diststyle key distkey (Id) interleaved sortkey (Created, Id) encode auto backup no;
            CREATE TABLE t2 (a DATE) DISTSTYLE AUTO SORTKEY AUTO;
            CREATE TABLE t3 (a INTEGER) COMPOUND SORTKEY (a)
            """;

        var tables = RedshiftDdl.Parse(ddl);

        Assert.Equal(3, tables.Count);
        var t = tables[0];
        Assert.Equal(("sales", "orderlines"), (t.Schema, t.Name));
        Assert.Equal(
            ["id BIGINT False", "LineNo SMALLINT True", "sku VARCHAR(32) False", "amount DECIMAL(12,4) True", "note VARCHAR(256) False",
             "created TIMESTAMPTZ False", "flag BOOLEAN False", "ratio DOUBLE PRECISION False", "code CHAR(3) False", "id2 BIGINT False"],
            t.Columns.Select(c => $"{c.Name} {c.Type.Sql} {c.NotNull}"));
        Assert.Equal(new WarehouseTable("public", "t2", [new("a", new(WarehouseTypeKind.Date), false)]), tables[1]);

        var duck = RedshiftDdl.ToDuckDb(t);
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"sales\".\"orderlines\" (", duck);
        Assert.Contains("\"LineNo\" SMALLINT NOT NULL,", duck);
        Assert.Contains("\"code\" VARCHAR,\n", duck);
        foreach (var dropped in new[] { "PRIMARY", "FOREIGN", "UNIQUE", "REFERENCES", "ENCODE", "IDENTITY", "DEFAULT", "SORTKEY", "DISTKEY", "BACKUP" })
        {
            Assert.DoesNotContain(dropped, duck, StringComparison.OrdinalIgnoreCase);
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = duck;
        create.ExecuteNonQuery();
    }

    [Theory]
    [InlineData("CREATE VIEW v AS SELECT 1;", "Line 1", "VIEW")]
    [InlineData("DROP TABLE t;", "Line 1", "DROP")]
    [InlineData("CREATE TABLE t (\n  a INTEGER,\n  b GEOMETRY\n);", "Line 3", "GEOMETRY")]
    [InlineData("CREATE TABLE t (\n  a INTEGER CHECK (a > 0)\n);", "Line 2", "CHECK")]
    [InlineData("CREATE TABLE t (a INTEGER)\nPARTITION BY (a);", "Line 2", "PARTITION")]
    [InlineData("CREATE TEMP TABLE t (a INTEGER);", "Line 1", "TEMP")]
    [InlineData("CREATE TABLE t (a INTEGER\n", "Line 1", "end of script")]
    [InlineData("CREATE TABLE t (a INTEGER) DISTSTYLE RANDOM;", "Line 1", "RANDOM")]
    public void Parse_UnknownConstruct_FailsNamingItAndItsLine(string ddl, string line, string named)
    {
        var e = Assert.Throws<FormatException>(() => RedshiftDdl.Parse(ddl));

        Assert.Contains(line, e.Message);
        Assert.Contains(named, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
