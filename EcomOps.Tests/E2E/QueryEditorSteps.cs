using Microsoft.Playwright;

namespace EcomOps.Tests.E2E;

/// <summary>The Monaco SQL editor as a user drives it: click into it, replace its text, press keys.</summary>
internal static class QueryEditorSteps
{
    public static ILocator Editor(IPage page) => page.Locator("#query-sql > .monaco-editor");

    /// <summary>Waits until Monaco has started in the page and the circuit knows it.</summary>
    public static Task WaitForEditorAsync(IPage page) =>
        page.Locator(".query-sql-editor-frame[data-ready=true] #query-sql > .monaco-editor").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    /// <summary>Replaces the editor's text, as a paste does (typing would trigger Monaco's auto-closing brackets and suggestions).</summary>
    public static async Task ReplaceSqlAsync(IPage page, string sql)
    {
        await Editor(page).ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(sql);
    }

    /// <summary>The editor's text as Monaco renders it (its view lines, non-breaking spaces as spaces).</summary>
    public static async Task<string> TextAsync(IPage page) =>
        (await page.Locator("#query-sql .view-lines").InnerTextAsync()).Replace('\u00a0', ' ');
}
