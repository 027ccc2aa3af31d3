using MudBlazor;

namespace EcomOps.Web.Components.Layout;

internal static class EcomOpsTheme
{
    // System fonts: the app must look right offline, without a web font download.
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1f6f8b", AppbarBackground = "#1f3b4d" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
    };
}
