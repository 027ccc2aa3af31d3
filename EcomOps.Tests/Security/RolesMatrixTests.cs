using System.Reflection;
using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Pipeline;
using EcomOps.Core.Query;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EcomOps.Tests.Security;

/// <summary>
/// Every way into Core, called as nobody and as each role: what the issue's role list allows goes through, the rest is
/// refused naming the role it needs, and a refused call changes nothing.
/// </summary>
public sealed class RolesMatrixTests
{
    // The roles as the issue words them, written out here rather than derived from AccessPolicy, so the test says what
    // each role may do instead of repeating the code's table.
    private static readonly CoreAction[] ViewerMay = [CoreAction.View];
    private static readonly CoreAction[] AnalystMay = [.. ViewerMay, CoreAction.RunQuery, CoreAction.SaveQuery, CoreAction.DeleteSavedQuery];
    private static readonly CoreAction[] OperatorMay =
    [
        .. AnalystMay, CoreAction.Generate, CoreAction.Upload, CoreAction.DeleteObject, CoreAction.Convert, CoreAction.Crawl,
        CoreAction.Load, CoreAction.InitWarehouse, CoreAction.RunPipeline, CoreAction.ManagePipelines, CoreAction.CancelRun, CoreAction.RetryRun,
    ];

    public static TheoryData<string> Roles => ["nobody", nameof(Role.Viewer), nameof(Role.Analyst), nameof(Role.Operator), nameof(Role.Admin)];

    [Fact]
    public void EveryMemberOfCoresInterfaces_IsInTheTable()
    {
        var members = CoreActionTable.Interfaces
            .SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => !m.IsSpecialName).Select(m => $"{i.Name}.{m.Name}"))
            .Distinct()
            .ToHashSet();
        var listed = CoreActionTable.Calls.Select(c => c.Member).Concat(CoreActionTable.Exempt.Keys).ToHashSet();

        Assert.Empty(members.Except(listed));
        Assert.Empty(listed.Except(members));
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task EachCall_IsAllowedExactlyForTheRolesThatMayDoIt_AndARefusalNamesTheRoleNeeded(string who)
    {
        using var host = new CoreHost(services => services.AddSingleton<IAccess>(new Access((Caller?)null)));
        var caller = who == "nobody" ? null : new Caller($"pat-{who.ToLowerInvariant()}", Enum.Parse<Role>(who), Vias.Password);
        var may = caller?.Role switch
        {
            Role.Viewer => ViewerMay,
            Role.Analyst => AnalystMay,
            Role.Operator => OperatorMay,
            Role.Admin => Enum.GetValues<CoreAction>(),
            _ => [],
        };
        var wrong = new List<string>();
        foreach (var call in CoreActionTable.Calls)
        {
            Exception? thrown;
            using (caller is null ? null : host.As(caller.Name, caller.Role))
            {
                thrown = await Record.ExceptionAsync(() => call.Invoke(host));
            }

            var denied = thrown as AccessDeniedException;
            if (may.Contains(call.Action) != (denied is null))
            {
                wrong.Add($"{call.Member} ({call.Action}) was {(denied is null ? "allowed" : "refused")} for {who}: {thrown?.Message}");
            }
            else if (denied is not null)
            {
                Assert.Equal(call.Action, denied.Action);
                Assert.Contains($"needs the {AccessPolicy.Required(call.Action)} role", denied.Message, StringComparison.Ordinal);
                Assert.Contains(caller is null ? "Sign in first" : $"{caller.Name} is", denied.Message, StringComparison.Ordinal);
            }
        }

        Assert.Empty(wrong);
        if (caller?.Role is null or Role.Viewer)
        {
            await AssertNothingChangedAsync(host);
        }
    }

    [Fact]
    public async Task WhoStartsARun_IsWhoTheHistoryRecords_ForEachKindAndTheQueryHistory()
    {
        using var host = new CoreHost(services => services.AddSingleton<IAccess>(new Access((Caller?)null)));
        using (host.As("olga", Role.Operator))
        {
            var generated = host.Get<Core.Generation.IGenerationService>().StartGeneration(new(Customers: 5, Products: 5, Transactions: 5));
            Assert.Equal("olga", (await host.Get<IJobRunner>().WaitAsync(generated.Id)).StartedBy);
        }

        using (host.As("anna", Role.Analyst))
        {
            await host.Get<IQueryService>().RunAsync(new QueryRunRequest("SELECT 1 AS one"));
            Assert.Equal("anna", (await host.Get<IQueryService>().HistoryAsync(1)).Single().User);
            Assert.Equal("olga", Assert.Single(await host.Get<IJobRunner>().ListAsync(JobRunFilter.All)).StartedBy);
        }
    }

    private static async Task AssertNothingChangedAsync(CoreHost host)
    {
        using var admin = host.As("checker", Role.Admin);
        Assert.Empty(await host.Get<IJobRunner>().ListAsync(JobRunFilter.All));
        Assert.Equal(0, (await host.Get<ILakeService>().BrowseAsync()).TotalObjects);
        Assert.Empty(await host.Get<IPipelineService>().ListPipelinesAsync());
        Assert.Null(await host.Get<IQueryService>().GetSavedAsync("mine"));
        Assert.Empty(await host.Get<IQueryService>().HistoryAsync());
    }
}
