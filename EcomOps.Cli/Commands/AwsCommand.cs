using System.CommandLine;
using System.Globalization;
using EcomOps.Core.Conversion;
using EcomOps.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Cli.Commands;

/// <summary><c>ecomops aws ...</c>: setting up what the Aws backend runs in AWS (see infra/ and README's "AWS resources").</summary>
internal static class AwsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) => new("aws", "Set up the AWS side of the Aws backend")
    {
        DeployScript(stdout, stderr),
    };

    private static Command DeployScript(TextWriter stdout, TextWriter stderr)
    {
        var script = new Option<string?>("--script")
        {
            Description = $"The Glue job's script to upload (default: etl/glue/{GlueJobScript.FileName} beside the ecomops binary)",
        };
        var command = new Command("deploy-script", $"Upload the Glue job's script to {GlueJobScript.LakeKey} in the lake (the local folder or S3)") { script };
        command.SetAction(async (parsed, token) =>
        {
            var path = parsed.GetValue(script) ?? Path.Combine(AppContext.BaseDirectory, "etl", "glue", GlueJobScript.FileName);
            if (!File.Exists(path))
            {
                await stderr.WriteLineAsync($"error: no script '{path}'; give its path with --script.");
                return CliApp.UsageError;
            }

            var bytes = await File.ReadAllBytesAsync(path, token);

            // A script whose schema is not the app's would write Parquet the crawler, the queries and COPY read
            // differently from the local converter's: refuse it before it reaches Glue.
            if (GlueJobScript.SchemaProblem(System.Text.Encoding.UTF8.GetString(bytes)) is { } problem)
            {
                await stderr.WriteLineAsync($"error: '{path}' cannot be deployed: {problem}. Nothing was uploaded.");
                return CliApp.UsageError;
            }

            await using var services = CliApp.Services(parsed);
            var store = services.GetRequiredService<IObjectStore>();
            try
            {
                ObjectInfo uploaded;
                await using (var write = await store.OpenWriteAsync(GlueJobScript.LakeKey, token))
                {
                    await write.Stream.WriteAsync(bytes, token);
                    uploaded = await write.CommitAsync(token);
                }

                var location = store is S3ObjectStore s3 ? $"s3://{s3.Bucket}/{uploaded.Key}" : $"{store.DisplayName}/{uploaded.Key}";
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{location}\t{uploaded.Size} bytes"));
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                await stderr.WriteLineAsync($"error: uploading the script to {GlueJobScript.LakeKey} in {store.DisplayName} failed: {TerminalText.Visible(e.Message, keepLines: true)}");
                return CliApp.Failure;
            }
        });
        return command;
    }
}
