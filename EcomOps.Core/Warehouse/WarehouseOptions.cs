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

    public string FullPath(EcomOpsOptions root) => System.IO.Path.GetFullPath(Path ?? System.IO.Path.Combine(root.DataRootFullPath, "warehouse.duckdb"));

    public string DdlFullPath => System.IO.Path.GetFullPath(DdlPath ?? System.IO.Path.Combine(AppContext.BaseDirectory, "sql", "redshift_ddl.sql"));
}

internal sealed class WarehouseOptionsValidator : IValidateOptions<WarehouseOptions>
{
    public ValidateOptionsResult Validate(string? name, WarehouseOptions options) =>
        options.BusySeconds is < 1 or > 3600
            ? ValidateOptionsResult.Fail($"EcomOps:Warehouse:BusySeconds is {options.BusySeconds}; set 1 to 3600 (default 30).")
            : ValidateOptionsResult.Success;
}
