using EcomOps.Core;
using EcomOps.Web;
using EcomOps.Web.Components;
using EcomOps.Web.Endpoints;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddEcomOpsCore(builder.Configuration);
builder.Services.AddEcomOpsWeb();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();

app.MapStaticAssets();
app.MapOpsEndpoints();
app.MapLakeFiles();
app.MapQueryDownloads();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();
