using System.Diagnostics;
using System.Text.Json;
using EcomOps.Core.Conversion;
using EcomOps.Core.Datasets;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Conversion;

/// <summary>etl/glue/csv_to_parquet.py compiles and carries the datasets' schema as DatasetRegistry defines it.</summary>
public sealed class GlueJobScriptTests
{
    private static readonly string PycachePrefix = Path.Combine(Path.GetTempPath(), "ecomops-pycache");

    private static string ScriptPath => Path.Combine(RepoPaths.Root, "etl", "glue", GlueJobScript.FileName);

    [Fact]
    public void Script_CompilesWithPython3()
    {
        var (code, _, stderr) = Python("-m", "py_compile", ScriptPath);

        Assert.True(code == 0, $"python3 -m py_compile {ScriptPath} failed:\n{stderr}");
    }

    [Fact]
    public void Script_SchemaBlock_IsTheOneDatasetRegistryGives()
    {
        var script = File.ReadAllText(ScriptPath);

        // On failure the message carries the block to paste into the script in place of the old one.
        Assert.True(GlueJobScript.SchemaProblem(script) is null, $"{ScriptPath}: {GlueJobScript.SchemaProblem(script)}\n\n{GlueJobScript.SchemaBlock()}");
    }

    [Fact]
    public void Script_AsPythonSeesIt_HasEachDatasetsColumnsTypesAndPartitionColumn()
    {
        // What the script's DATASETS is once Python has run the module (nothing after the block may change it):
        // awsglue and pyspark are imported only inside its functions, so the module loads without Spark.
        var (code, stdout, stderr) = Python("-c",
            "import importlib.util, json, sys; spec = importlib.util.spec_from_file_location('job', sys.argv[1]); " +
            "job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job); print(json.dumps([job.DATASETS, job.MAX_TEXT_BYTES]))",
            ScriptPath);
        Assert.True(code == 0, stderr);
        using var parsed = JsonDocument.Parse(stdout);
        var datasets = parsed.RootElement[0];

        Assert.Equal(DatasetRegistry.All.Select(d => d.Name), datasets.EnumerateObject().Select(p => p.Name));
        foreach (var dataset in DatasetRegistry.All)
        {
            var entry = datasets.GetProperty(dataset.Name);
            var partition = entry.GetProperty("month_partition_column");
            Assert.Equal(dataset.MonthPartitionColumn, partition.ValueKind == JsonValueKind.Null ? null : partition.GetString());
            var columns = entry.GetProperty("columns").EnumerateArray()
                .Select(c => (c[0].GetString(), c[1].GetString(), c[2].GetInt32(), c[3].GetInt32(), c[4].GetString(), c[5].GetString()));
            var expected = dataset.Columns
                .Select(c => ((string?)c.Name, (string?)c.Type.ToString().ToLowerInvariant(), c.Precision, c.Scale, (string?)DatasetParquetSchema.PhysicalType(c), (string?)DatasetParquetSchema.LogicalType(c)));
            Assert.Equal(expected, columns);
        }

        Assert.Equal(ColumnValues.MaxTextBytes, parsed.RootElement[1].GetInt32());
    }

    [Fact]
    public void SchemaProblem_NamesADriftedOrMissingBlock()
    {
        var script = File.ReadAllText(ScriptPath);

        Assert.Contains("differs from", GlueJobScript.SchemaProblem(script.Replace("\"Price\", \"decimal\", 10, 2", "\"Price\", \"decimal\", 12, 2", StringComparison.Ordinal)));
        Assert.Contains("has no schema block", GlueJobScript.SchemaProblem(script.Replace(GlueJobScript.EndMarker, "# the end", StringComparison.Ordinal)));
    }

    [Fact]
    public void Script_ReadsTheJobArgumentsTheTemplateAndTheAppPass()
    {
        var script = File.ReadAllText(ScriptPath);

        Assert.Contains("getResolvedOptions", script, StringComparison.Ordinal);
        foreach (var argument in new[] { "source_prefix", "target_prefix", "dataset", "partitioning", "compression", "bad_records_path" })
        {
            Assert.Contains($"\"{argument}\"", script, StringComparison.Ordinal);
        }

        // Bookmarks track reads that carry a transformation_ctx, and are saved by job.commit().
        Assert.Contains("transformation_ctx=", script, StringComparison.Ordinal);
        Assert.Contains("job.commit()", script, StringComparison.Ordinal);
    }

    /// <summary>Runs python3; a machine without it fails the test saying so (./test.sh installs it).</summary>
    private static (int Code, string Stdout, string Stderr) Python(params string[] args)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };

        // Compiled bytecode goes to a temporary folder, not into etl/glue/ of the repository.
        start.Environment["PYTHONPYCACHEPREFIX"] = PycachePrefix;
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"python3 is not on PATH ({e.Message}): the Glue job's script is checked with it. Install it (./test.sh does, with apt-get) and run the tests again.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr);
        }
    }
}
