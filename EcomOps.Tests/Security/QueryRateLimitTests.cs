using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcomOps.Tests.Security;

/// <summary>Query runs per user and minute (<c>EcomOps:Limits:QueriesPerMinute</c>), however the query arrives.</summary>
public sealed class QueryRateLimitTests
{
    [Fact]
    public async Task QueriesOverTheLimit_AreRefusedForThatUserOnly_SayingHowLongToWait_AndNotRecorded()
    {
        using var host = new CoreHost(configuration: new() { ["EcomOps:Limits:QueriesPerMinute"] = "3" });
        var queries = host.Get<IQueryService>();

        using (host.As("Ada", Role.Analyst))
        {
            for (var i = 0; i < 3; i++)
            {
                var result = await queries.RunAsync(new QueryRunRequest($"SELECT {i} AS n"));
                Assert.Equal(i, Convert.ToInt32(result.Rows.Single()[0], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        // The same person under another spelling, and the download path, share the allowance.
        using (host.As("ada", Role.Analyst))
        {
            var refused = await Assert.ThrowsAsync<QueryRateLimitedException>(() => queries.RunAsync(new QueryRunRequest("SELECT 4")));
            Assert.Matches(@"^Too many queries: 3 a minute per user\. Wait \d+ s and run it again\.$", refused.Message);
            Assert.InRange(refused.RetryAfter.TotalSeconds, 1, 60);
            Assert.Contains($"Wait {refused.RetryAfter.TotalSeconds:0} s", refused.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<QueryRateLimitedException>(() => queries.ExportAsync(new QueryRunRequest("SELECT 5", QuerySource.Download), new QueryCsvWriter(TextWriter.Null)));

            // The Query page shows refusals (QueryRefusedException) as a warning with their message: this is one.
            Assert.IsAssignableFrom<QueryRefusedException>(refused);
        }

        // A Viewer is refused for the role, before the limit is counted; another analyst has an allowance of their own.
        using (host.As("victor", Role.Viewer))
        {
            await Assert.ThrowsAsync<AccessDeniedException>(() => queries.RunAsync(new QueryRunRequest("SELECT 6")));
        }

        using (host.As("grace", Role.Analyst))
        {
            var other = await queries.RunAsync(new QueryRunRequest("SELECT 6"));
            Assert.Single(other.Rows);
            Assert.Equal(4, (await queries.HistoryAsync()).Count);
        }
    }

    [Theory]
    [InlineData("EcomOps:Limits:QueriesPerMinute", "0", "EcomOps:Limits:QueriesPerMinute is 0; set 1 to 100000")]
    [InlineData("EcomOps:Limits:MaxUploadFiles", "-1", "EcomOps:Limits:MaxUploadFiles is -1; set 1 to 10000")]
    [InlineData("EcomOps:Limits:MaxUploadBatchBytes", "0", "EcomOps:Limits:MaxUploadBatchBytes is 0; set a positive number")]
    public void BadLimit_StopsTheStart_NamingTheKey(string key, string value, string message)
    {
        using var host = new CoreHost(configuration: new() { [key] = value });
        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
