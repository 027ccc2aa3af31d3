using Microsoft.Extensions.Options;

namespace EcomOps.Core.Warehouse;

/// <summary>Settings of the <c>EcomOps:Warehouse</c> section.</summary>
public sealed class WarehouseOptions
{
    public const string Section = "EcomOps:Warehouse";

    /// <summary><c>EcomOps:Warehouse:Path</c>: the local warehouse's DuckDB file; default <c>&lt;DataRoot&gt;/warehouse.duckdb</c>.</summary>
    public string? Path { get; set; }

    /// <summary><c>EcomOps:Warehouse:DdlPath</c>: the Redshift DDL applied at init; default <c>sql/redshift_ddl.sql</c> beside the app.</summary>
    public string? DdlPath { get; set; }

    /// <summary>
    /// <c>EcomOps:Warehouse:RefuseDuplicateLoads</c>: a COPY of files already loaded into the same table (same key and
    /// ETag) is refused instead of loaded again with a warning. Default false, as Redshift loads them again.
    /// </summary>
    public bool RefuseDuplicateLoads { get; set; }

    /// <summary><c>EcomOps:Warehouse:BusySeconds</c>: how long to wait for the file while another process holds it. Default 30.</summary>
    public int BusySeconds { get; set; } = 30;

    /// <summary>
    /// <c>EcomOps:Warehouse:MemoryLimit</c>: DuckDB's memory_limit for the warehouse, such as <c>512MB</c>. Without one
    /// DuckDB keeps a whole load in its buffer pool, so memory grows with the file. Default 512MB.
    /// </summary>
    public string MemoryLimit { get; set; } = "512MB";

    /// <summary>
    /// <c>EcomOps:Warehouse:FastCsv</c>: a CSV COPY whose files are in the plain forms DuckDB's own parallel reader and
    /// Redshift's rules read alike (checked byte by byte beside the load) goes through DuckDB's reader; any file that
    /// is not, or any row DuckDB refuses, sends the whole load row by row, where every rejected row is recorded.
    /// False reads every CSV row by row. Default true.
    /// </summary>
    public bool FastCsv { get; set; } = true;

    public string FullPath(EcomOpsOptions root) => System.IO.Path.GetFullPath(Path ?? System.IO.Path.Combine(root.DataRootFullPath, "warehouse.duckdb"));

    public string DdlFullPath => System.IO.Path.GetFullPath(DdlPath ?? System.IO.Path.Combine(AppContext.BaseDirectory, "sql", "redshift_ddl.sql"));
}

internal sealed class WarehouseOptionsValidator : IValidateOptions<WarehouseOptions>
{
    public ValidateOptionsResult Validate(string? name, WarehouseOptions options)
    {
        var failures = new List<string>();
        if (options.BusySeconds is < 1 or > 3600)
        {
            failures.Add($"EcomOps:Warehouse:BusySeconds is {options.BusySeconds}; set 1 to 3600 (default 30).");
        }

        if (!EcomOps.Core.Query.DuckDbSql.IsMemorySize(options.MemoryLimit))
        {
            failures.Add($"EcomOps:Warehouse:MemoryLimit '{options.MemoryLimit}' is not a size; set one such as 512MB or 2GB.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
