using System.Globalization;
using System.Text;
using EcomOps.Core.Datasets;

namespace EcomOps.Core.Conversion;

/// <summary>
/// The Glue job's PySpark script (<c>etl/glue/csv_to_parquet.py</c>) and its schema block. The script cannot
/// read C#, so the datasets' columns are written into it between two marker lines; this class renders that
/// block from <see cref="DatasetRegistry"/>, and a test and <c>ecomops aws deploy-script</c> refuse a script
/// whose block differs, so the Glue job and the local converter cannot drift apart.
/// </summary>
public static class GlueJobScript
{
    /// <summary>The script's file name, in <c>etl/glue/</c> of the repository and beside the app's binary.</summary>
    public const string FileName = "csv_to_parquet.py";

    /// <summary>Where the script goes in the lake; the CloudFormation job's ScriptLocation points here.</summary>
    public const string LakeKey = "scripts/" + FileName;

    /// <summary>The line that opens the generated block.</summary>
    public const string BeginMarker = "# BEGIN DATASETS (generated from EcomOps.Core/Datasets/DatasetRegistry.cs by GlueJobScript.SchemaBlock; do not edit)";

    /// <summary>The line that closes it.</summary>
    public const string EndMarker = "# END DATASETS";

    /// <summary>The block, marker lines included, as it must appear in the script (LF line endings).</summary>
    public static string SchemaBlock()
    {
        var text = new StringBuilder();
        text.Append(BeginMarker).Append('\n');
        text.Append("# Each column: (name, type, precision, scale, Parquet physical type, Parquet logical type).\n");
        text.Append("DATASETS = {\n");
        foreach (var dataset in DatasetRegistry.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"    \"{dataset.Name}\": {{\n");
            text.Append(CultureInfo.InvariantCulture, $"        \"month_partition_column\": {(dataset.MonthPartitionColumn is { } column ? $"\"{column}\"" : "None")},\n");
            text.Append("        \"columns\": [\n");
            foreach (var c in dataset.Columns)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"            (\"{c.Name}\", \"{c.Type.ToString().ToLowerInvariant()}\", {c.Precision}, {c.Scale}, \"{DatasetParquetSchema.PhysicalType(c)}\", \"{DatasetParquetSchema.LogicalType(c)}\"),\n");
            }

            text.Append("        ],\n");
            text.Append("    },\n");
        }

        text.Append("}\n");
        text.Append(CultureInfo.InvariantCulture, $"MAX_TEXT_BYTES = {ColumnValues.MaxTextBytes}\n");
        text.Append(EndMarker).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The block as found in <paramref name="script"/> (marker lines included, LF line endings), or null when
    /// either marker line is missing.
    /// </summary>
    public static string? FindSchemaBlock(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var text = script.Replace("\r\n", "\n", StringComparison.Ordinal);
        var begin = text.IndexOf(BeginMarker + "\n", StringComparison.Ordinal);
        var end = text.IndexOf(EndMarker + "\n", StringComparison.Ordinal);
        return begin < 0 || end < begin ? null : text[begin..(end + EndMarker.Length + 1)];
    }

    /// <summary>Why <paramref name="script"/> does not carry the datasets' schema, or null when it does.</summary>
    public static string? SchemaProblem(string script)
    {
        var found = FindSchemaBlock(script);
        if (found is null)
        {
            return $"it has no schema block (the lines '{BeginMarker}' ... '{EndMarker}')";
        }

        return found == SchemaBlock()
            ? null
            : "its schema block differs from EcomOps.Core/Datasets/DatasetRegistry.cs; replace the block with GlueJobScript.SchemaBlock()'s text (the test GlueJobScriptTests prints it)";
    }
}
