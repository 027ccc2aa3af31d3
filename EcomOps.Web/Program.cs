using EcomOps.Core;
using EcomOps.Web;
using EcomOps.Web.Auth;
using EcomOps.Web.Components;
using EcomOps.Web.Endpoints;
using EcomOps.Web.Security;

var builder = WebApplication.CreateBuilder(args);

// Sign-in first: it registers the web's caller (IAccess) before Core's own default.
builder.Services.AddEcomOpsAuth(builder.Configuration);
builder.Services.AddEcomOpsCore(builder.Configuration);
builder.Services.AddEcomOpsWeb();
builder.Services.AddEcomOpsSecurity(builder.Configuration, builder.Environment);

var app = builder.Build();
app.UseEcomOpsSecurity();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseEcomOpsAuth();
app.UseEcomOpsRateLimits();
app.UseAntiforgery();

// Assets and probes answer without sign-in: the sign-in page needs its CSS, load balancers their probes.
app.MapStaticAssets().AllowAnonymous();
app.MapEcomOpsAuth();
app.MapOpsEndpoints();
app.MapLakeFiles();
app.MapQueryDownloads();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();
