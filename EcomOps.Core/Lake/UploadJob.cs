using EcomOps.Core.Jobs;

namespace EcomOps.Core.Lake;

/// <summary>An upload run: a file on this machine (or one a browser is sending, spooled here) into the lake.</summary>
/// <param name="SourcePath">The file to upload: the user's file (CLI), or the spool file a browser upload is received into.</param>
/// <param name="Spooled">
/// True for a browser upload: the run first waits for the browser to finish sending the spool file, and deletes
/// it once the object is in the lake. The page only writes the spool; the run never touches the browser's file.
/// </param>
public sealed record UploadJob(UploadRequest Request, string SourcePath, bool Spooled = false) : IJobParameters;

/// <summary>Runs <see cref="UploadJob"/>s: receive (browser uploads), then stream into the lake with the upload checks.</summary>
internal sealed class UploadJobHandler(LakeService lake, UploadSpool spool) : JobHandler<UploadJob>
{
    internal const string ReceiveStep = "receive";

    public override string Kind => JobKinds.Upload;

    public override JobPlan Plan(UploadJob parameters)
    {
        var fileName = LakeService.FileNameOf(parameters.Request);
        var request = parameters.Request;
        var display = new Dictionary<string, string>
        {
            ["file"] = fileName,
            ["source"] = parameters.Spooled ? "browser upload" : parameters.SourcePath,
            ["dataset"] = request.Dataset ?? "(from header)",
            ["key"] = request.Key ?? "(default)",
            ["overwrite"] = request.Overwrite ? "yes" : "no",
            ["accept bad rows"] = request.AcceptBadRows ? "yes" : "no",
        };
        return new JobPlan($"Upload {fileName}", parameters.Spooled ? [ReceiveStep, fileName] : [fileName], display, request.Dataset);
    }

    public override async Task RunAsync(JobContext context, UploadJob parameters, CancellationToken cancellationToken)
    {
        var fileName = LakeService.FileNameOf(parameters.Request);
        var request = parameters.Request;
        if (parameters.Spooled)
        {
            context.BeginStep(ReceiveStep, request.Size, JobUnits.Bytes);
            var received = await spool.WaitForAsync(parameters.SourcePath, fileName, request.Size, bytes => context.Report(ReceiveStep, bytes, bytes), cancellationToken).ConfigureAwait(false);
            context.CompleteStep(ReceiveStep, received, received);
        }

        FileStream content;
        try
        {
            content = new FileStream(parameters.SourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UploadRejectedException(parameters.Spooled
                ? $"'{fileName}' is no longer on the server (browser uploads are kept only until they are in the lake); upload it again. Nothing was uploaded."
                : $"'{parameters.SourcePath}' does not exist (any more); check the path. Nothing was uploaded.");
        }

        await using (content)
        {
            // A pipe has no length: the size the request gives, if any, is all there is to go by.
            var size = request.Size ?? (content.CanSeek ? content.Length : null);
            context.BeginStep(fileName, size, JobUnits.Bytes);
            var progress = new SyncProgress<UploadProgress>(p => context.Report(fileName, p.Bytes, p.Bytes));
            var info = await lake.UploadAsync(request with { Size = size }, content, progress, cancellationToken).ConfigureAwait(false);
            context.CompleteStep(fileName, info.Size, info.Size);
            context.SetCounts(c => c with { BytesRead = info.Size });
            context.AddOutput(new JobOutput(fileName, info.Key, info.Size, 0, true));
        }

        if (parameters.Spooled)
        {
            spool.Delete(parameters.SourcePath);
        }
    }
}
