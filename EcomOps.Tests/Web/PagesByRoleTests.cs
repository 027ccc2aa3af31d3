using Bunit;
using EcomOps.Core.Security;
using EcomOps.Tests.Support;
using EcomOps.Web.Components.Layout;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Pages = EcomOps.Web.Components.Pages;

namespace EcomOps.Tests.Web;

/// <summary>
/// Each page's main actions for each role: offered (enabled) exactly when the role may do them, otherwise greyed out
/// with the role needed in the tooltip; the nav lists Settings for Admins only.
/// </summary>
public sealed class PagesByRoleTests
{
    public static TheoryData<string> Roles => [nameof(Role.Viewer), nameof(Role.Analyst), nameof(Role.Operator), nameof(Role.Admin)];

    // The page, its button, and the least role that may press it, as the issue lists the roles.
    private static readonly (Type Page, string Button, Role Needs)[] Buttons =
    [
        (typeof(Pages.Overview), "#run-demo", Role.Operator),
        (typeof(Pages.Generate), "#generate-button", Role.Operator),
        (typeof(Pages.Lake), "#upload-toggle", Role.Operator),
        (typeof(Pages.Jobs), "#convert-button", Role.Operator),
        (typeof(Pages.Catalog), "#crawl-button", Role.Operator),
        (typeof(Pages.Loads), "#new-load-button", Role.Operator),
        (typeof(Pages.Pipeline), "#start-pipeline", Role.Operator),
        (typeof(Pages.Query), "#run-query", Role.Analyst),
    ];

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task EachPagesMainAction_IsOfferedExactlyToTheRolesThatMayDoIt(string role)
    {
        var caller = new Caller($"pat-{role.ToLowerInvariant()}", Enum.Parse<Role>(role), Vias.Password);
        await using var context = new DashboardContext(caller);
        context.Render<MudPopoverProvider>();
        var wrong = new List<string>();
        foreach (var (type, selector, needs) in Buttons)
        {
            var page = context.Render<DynamicComponent>(p => p.Add(d => d.Type, type));
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(selector)), TimeSpan.FromSeconds(30));
            var button = page.Find(selector);
            var title = button.GetAttribute("title");
            if (caller.Has(needs))
            {
                // Allowed: no "Needs the ... role" (it may still be off for another reason, such as an empty editor).
                if (title is not null)
                {
                    wrong.Add($"{type.Name} {selector} says '{title}' to a {role}");
                }
            }
            else if (!button.HasAttribute("disabled") || title != $"Needs the {needs} role")
            {
                wrong.Add($"{type.Name} {selector} is offered to a {role} (disabled: {button.HasAttribute("disabled")}, title: '{title}')");
            }
        }

        Assert.Empty(wrong);
        var nav = context.Render<NavMenu>();
        Assert.Equal(caller.Has(Role.Admin), nav.FindAll("a").Any(a => a.TextContent.Contains("Settings", StringComparison.Ordinal)));
        Assert.Contains(nav.FindAll("a"), a => a.TextContent.Contains("Loads", StringComparison.Ordinal));
    }
}
