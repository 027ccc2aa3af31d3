using EcomOps.Core.Catalog;
using EcomOps.Core.Query;
using EcomOps.Core.Security;

namespace EcomOps.Tests.Security;

/// <summary>
/// The safe-SQL matrix: every escape attempt of <see cref="SqlEscapeAttempts"/>, on the lake and the warehouse, on the
/// Local and Aws backends, typed in the editor, saved then run, and downloaded, is refused by the rule it broke, with a
/// message naming it and what to do, nothing changed and nothing sent to Athena or Redshift.
/// </summary>
[Collection(SqlEscapeCollection.Name)]
public sealed class SqlEscapeMatrixTests(SqlEscapeFixture fixture)
{
    private static readonly (SqlBackend Backend, QueryTarget Target)[] Everywhere =
        [(SqlBackend.Local, QueryTarget.Lake), (SqlBackend.Local, QueryTarget.Warehouse), (SqlBackend.Aws, QueryTarget.Lake), (SqlBackend.Aws, QueryTarget.Warehouse)];

    public static TheoryData<string> Attempts => SqlEscapeAttempts.Names();

    [Theory]
    [MemberData(nameof(Attempts))]
    public async Task AnEscapeAttempt_IsRefusedOnEveryTargetAndBackend_ByItsRule_AndChangesAndSendsNothing(string name)
    {
        var attempt = SqlEscapeAttempts.All.Single(a => a.Name == name);
        var sql = SqlEscapeAttempts.Fill(attempt, fixture.CanaryFile, fixture.Local.LakePath);
        var before = await fixture.SnapshotAsync();

        foreach (var (backend, target) in Everywhere)
        {
            // As an analyst, the role that may run and save queries (issue 13: their writes through SQL are refused).
            using var analyst = fixture.Analyst(backend);
            var queries = fixture.Queries(backend);
            var where = $"{backend}/{target}";

            var typed = await Assert.ThrowsAsync<QueryRefusedException>(() => queries.RunAsync(new QueryRunRequest(sql, QuerySource.Editor, Target: target)));
            AssertNamesTheRule(attempt, typed, where);
            var history = Assert.Single(await queries.HistoryAsync(1));
            Assert.Equal(("Refused", typed.Message, target, SqlEscapeFixture.AnalystName), (history.Status, history.Error, history.Target, history.User));

            // Saved as it was typed (a saved query is only text; a secret in it is masked), then refused when it runs.
            var savedName = $"escape: {name} ({where})";
            await queries.SaveAsync(savedName, "an escape attempt", sql, target);
            var saved = await queries.GetSavedAsync(savedName);
            Assert.Equal(SecretRedactor.Redact(sql), saved!.Sql);
            var run = await Assert.ThrowsAsync<QueryRefusedException>(() => queries.RunAsync(new QueryRunRequest(saved.Sql, QuerySource.Saved, Target: saved.Target)));
            Assert.Equal(typed.Message, run.Message);
            await queries.DeleteSavedAsync(savedName);

            using var csv = new StringWriter();
            var download = await Assert.ThrowsAsync<QueryRefusedException>(() => queries.ExportAsync(new QueryRunRequest(sql, QuerySource.Download, Target: target), new QueryCsvWriter(csv)));
            Assert.Equal(typed.Message, download.Message);
            Assert.Equal("", csv.ToString());
        }

        Assert.Equal(before, await fixture.SnapshotAsync());
        Assert.False(File.Exists(fixture.CanaryFile));
    }

    [Fact]
    public async Task QueriesThatOnlyLookLikeAttempts_RunOnEveryTargetAndBackend()
    {
        var before = await fixture.SnapshotAsync();
        var athenaBefore = fixture.Athena.Bodies("StartQueryExecution").Count;
        var redshiftBefore = fixture.Redshift.Submitted.Count;

        foreach (var (name, sql) in SqlEscapeAttempts.Allowed)
        {
            foreach (var (backend, target) in Everywhere)
            {
                using var analyst = fixture.Analyst(backend);
                var result = await fixture.Queries(backend).RunAsync(new QueryRunRequest(sql, Target: target));
                Assert.True(result.Rows.Count > 0, $"'{name}' returned no rows on {backend}/{target}");
            }
        }

        using var awsAnalyst = fixture.Analyst(SqlBackend.Aws);
        var text = await fixture.Queries(SqlBackend.Aws).RunAsync(new QueryRunRequest("SELECT 'Perú, Ѕão, ；' AS s -- café", Target: QueryTarget.Warehouse));
        Assert.Equal("Perú, Ѕão, ；", text.Rows[0][0]);
        var after = await fixture.SnapshotAsync();
        Assert.Equal(before with { AthenaRequests = 0, RedshiftRequests = 0 }, after with { AthenaRequests = 0, RedshiftRequests = 0 });
        Assert.Equal(athenaBefore + SqlEscapeAttempts.Allowed.Count, fixture.Athena.Bodies("StartQueryExecution").Count);
        Assert.Equal(redshiftBefore + SqlEscapeAttempts.Allowed.Count + 1, fixture.Redshift.Submitted.Count);
    }

    [Theory]
    [InlineData(SqlBackend.Local)]
    [InlineData(SqlBackend.Aws)]
    public async Task TheSavedExampleQueries_PassTheGate_AndRunOnTheirTarget(SqlBackend backend)
    {
        using var analyst = fixture.Analyst(backend);
        var queries = fixture.Queries(backend);
        var saved = (await queries.SavedAsync()).Where(q => !q.Name.StartsWith("escape:", StringComparison.Ordinal)).ToList();

        Assert.Contains(saved, q => q.Target == QueryTarget.Lake);
        Assert.Contains(saved, q => q.Target == QueryTarget.Warehouse);
        foreach (var query in saved)
        {
            var result = await queries.RunAsync(new QueryRunRequest(query.Sql, QuerySource.Saved, Target: query.Target));
            Assert.True(result.Columns.Count > 0, $"'{query.Name}' returned no columns on {backend}");
        }
    }

    [Theory]
    [InlineData(SqlBackend.Local)]
    [InlineData(SqlBackend.Aws)]
    public async Task TheBuilder_QuotesValuesAndNamesThatHoldSql_SoTheyRunAsTextAndChangeNothing(SqlBackend backend)
    {
        var table = (await fixture.Local.Get<ICatalog>().GetTableAsync("ecom", "transactions_data"))!;
        var before = await fixture.SnapshotAsync();
        var spec = new QuerySpec(new QueryTable("ecom", "transactions_data"))
        {
            Filters =
            [
                new QueryFilter("country", FilterOperator.In, ["x'; DROP TABLE transactions_data; --", "Ѕpain；", "') UNION SELECT * FROM read_csv('/etc/passwd') --", "/* */ ; ATTACH 'x.db'"]),
            ],
            Aggregates = [new QueryAggregate(AggregateFunction.CountAll, Alias: "n\"; DROP TABLE transactions_data; --")],
        };

        var sql = QuerySqlBuilder.ToSql(spec, table);
        using var analyst = fixture.Analyst(backend);
        var result = await fixture.Queries(backend).RunAsync(new QueryRunRequest(sql, QuerySource.Builder));

        Assert.Equal("n\"; DROP TABLE transactions_data; --", Assert.Single(result.Columns).Name);
        Assert.Equal(0L, Assert.Single(Assert.Single(result.Rows)));
        var after = await fixture.SnapshotAsync();
        Assert.Equal(before with { AthenaRequests = 0 }, after with { AthenaRequests = 0 });
        if (backend == SqlBackend.Aws)
        {
            Assert.Equal(sql, fixture.Athena.Bodies("StartQueryExecution")[^1].GetProperty("QueryString").GetString());
        }
    }

    [Fact]
    public async Task TheBuilder_RefusesAColumnTheCatalogDoesNotHave_BeforeAnySqlIsWritten()
    {
        var table = (await fixture.Local.Get<ICatalog>().GetTableAsync("ecom", "transactions_data"))!;
        var spec = new QuerySpec(new QueryTable("ecom", "transactions_data")) { Columns = ["amount\" FROM transactions_data; DROP TABLE transactions_data; --"] };

        var error = Assert.Throws<ArgumentException>(() => QuerySqlBuilder.ToSql(spec, table));

        Assert.Contains("amount\" FROM transactions_data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRule_HasATitleAndAdvice_AndEveryRefusingRuleIsInTheMatrix()
    {
        var rules = Enum.GetValues<QueryRule>();

        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(QueryRules.Title(r)) || string.IsNullOrWhiteSpace(QueryRules.Advice(r))));
        Assert.Equal(rules.Length, rules.Select(QueryRules.Title).Distinct().Count());
        // Not gate rules: Unsupported (allowed but not runnable here) and the per-user limit (QueryRateLimitTests).
        Assert.Equal(rules.Where(r => r is not (QueryRule.Unsupported or QueryRule.TooManyQueries)).Order(), SqlEscapeAttempts.All.Select(a => a.Rule).Distinct().Order());
    }

    private static void AssertNamesTheRule(SqlEscape attempt, QueryRefusedException refused, string where)
    {
        Assert.True(attempt.Rule == refused.Rule, $"{attempt.Name} on {where}: refused as {refused.Rule}, expected {attempt.Rule}: {refused.Message}");
        Assert.StartsWith(QueryRules.Title(attempt.Rule) + ": ", refused.Message, StringComparison.Ordinal);
        Assert.Contains(attempt.Names, refused.Message, StringComparison.Ordinal);
        Assert.EndsWith(QueryRules.Advice(attempt.Rule), refused.Message, StringComparison.Ordinal);
    }
}
