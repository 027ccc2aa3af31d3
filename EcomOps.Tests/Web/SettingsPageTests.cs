using Bunit;
using EcomOps.Core;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Pages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace EcomOps.Tests.Web;

/// <summary>The Settings page says where the data really is, for the backend in use.</summary>
public sealed class SettingsPageTests : IAsyncLifetime
{
    private readonly BunitContext _context = new();
    private readonly TempDirectory _root = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _root.Dispose();
    }

    [Fact]
    public void OnLocal_ItShowsTheLakeFolder()
    {
        Register(new() { ["EcomOps:LakeBucket"] = "shop-lake" });

        var table = _context.Render<Settings>().Find(".backend-locations").TextContent;

        Assert.Contains("Local", table);
        Assert.Contains(Path.Combine(_root.Path, "lake", "shop-lake"), table);
        Assert.Contains(Path.Combine(_root.Path, "ops.db"), table);
    }

    [Fact]
    public void OnAws_ItShowsTheBucketAndRegion_NotALocalFolder()
    {
        Register(new() { ["EcomOps:Backend"] = "Aws", ["EcomOps:LakeBucket"] = "shop-lake", ["EcomOps:S3:Region"] = "eu-west-1" });

        var table = _context.Render<Settings>().Find(".backend-locations").TextContent;

        Assert.Contains("Aws", table);
        Assert.Contains("s3://shop-lake/", table);
        Assert.Contains("eu-west-1", table);
        Assert.DoesNotContain(Path.Combine(_root.Path, "lake"), table);
    }

    [Fact]
    public async Task OnLocal_CheckRunsTheServicesCheckAgainEachTime_AndShowsWhatItFound()
    {
        Register(new() { ["EcomOps:LakeBucket"] = "shop-lake" });
        var page = _context.Render<Settings>();
        Assert.Equal(["ops-database", "lake", "warehouse"], page.FindAll(".backend-check").Select(r => r.GetAttribute("data-check") ?? "").ToArray());

        // Found and clicked in one renderer turn: a check finishing meanwhile re-renders the row and its handler ids.
        await page.InvokeAsync(() => Row(page, "lake").QuerySelector(".check-button")!.Click());
        page.WaitForAssertion(() => Assert.Contains("Degraded", Row(page, "lake").QuerySelector(".check-status")!.TextContent));
        Assert.Contains("does not exist yet", Row(page, "lake").QuerySelector(".check-description")!.TextContent);

        Directory.CreateDirectory(Path.Combine(_root.Path, "lake", "shop-lake"));
        // Found and clicked in one renderer turn: a check finishing meanwhile re-renders the row and its handler ids.
        await page.InvokeAsync(() => Row(page, "lake").QuerySelector(".check-button")!.Click());

        page.WaitForAssertion(() => Assert.Contains("Healthy", Row(page, "lake").QuerySelector(".check-status")!.TextContent));
        Assert.Contains("can be read and written", Row(page, "lake").QuerySelector(".check-description")!.TextContent);
    }

    [Fact]
    public async Task OnAws_ItShowsTheGlueAthenaAndRedshiftNames_AndWhoTheCredentialsAre_AndAGlueRefusalVerbatim()
    {
        using var aws = new Aws.AwsLoopback((request, _) => Aws.StsAnswers.IsCallerIdentity(request)
            ? Aws.StsAnswers.CallerIdentity("arn:aws:iam::123456789012:user/analyst", "AIDAEXAMPLE", requestId: "req-sts-2")
            : Aws.LoopbackAnswer.Error(400, "AccessDeniedException", "not authorized to perform: glue:GetJobRuns", "req-page-9"));
        Register(new()
        {
            ["EcomOps:Backend"] = "Aws",
            ["EcomOps:LakeBucket"] = "shop-lake",
            ["EcomOps:S3:Region"] = "eu-west-1",
            ["EcomOps:Aws:Region"] = "eu-west-1",
            ["EcomOps:Aws:Glue:JobName"] = "shop-convert",
            ["EcomOps:Aws:Redshift:ClusterIdentifier"] = "shop-dc2",
            ["EcomOps:Aws:Redshift:DbUser"] = "loader",
            ["EcomOps:Aws:Endpoints:Sts"] = aws.Url,
            ["EcomOps:Aws:Endpoints:Glue"] = aws.Url,
            ["EcomOps:Aws:MaxRetryAttempts"] = "0",
        });
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? Storage.S3rverFixture.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? Storage.S3rverFixture.SecretKey);

        var page = _context.Render<Settings>();

        var locations = page.Find(".backend-locations").TextContent;
        Assert.Contains("Glue job shop-convert", locations);
        Assert.Contains("Athena workgroup ecomops, results in s3://shop-lake/athena-results/", locations);
        Assert.Contains("Redshift cluster shop-dc2, database dev", locations);
        Assert.Contains("temporary credentials for loader", locations);
        page.WaitForAssertion(() => Assert.Contains("arn:aws:iam::123456789012:user/analyst", Row(page, "aws-identity").TextContent), TimeSpan.FromSeconds(10));

        // Found and clicked in one renderer turn: a check finishing meanwhile re-renders the row and its handler ids.
        await page.InvokeAsync(() => Row(page, "glue-job").QuerySelector(".check-button")!.Click());

        page.WaitForAssertion(() => Assert.Contains("Unhealthy", Row(page, "glue-job").QuerySelector(".check-status")?.TextContent ?? ""), TimeSpan.FromSeconds(10));
        var said = Row(page, "glue-job").QuerySelector(".check-description")!.TextContent;
        Assert.Contains("AccessDeniedException", said);
        Assert.Contains("req-page-9", said);
        Assert.Contains("iam/ecomops-dashboard.json", said);
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<Settings> page, string check) =>
        page.FindAll(".backend-check").Single(r => r.GetAttribute("data-check") == check);

    private void Register(Dictionary<string, string?> settings)
    {
        settings["EcomOps:DataRoot"] = _root.Path;
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
        _context.Services.AddLogging();
        _context.SignInAs(Caller.ProcessUser(Role.Admin));
        _context.Services.AddEcomOpsCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }
}
