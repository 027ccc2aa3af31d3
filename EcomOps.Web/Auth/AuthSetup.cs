using System.Net;
using EcomOps.Core;
using EcomOps.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Auth;

/// <summary>Sign-in, roles and Core's caller for the dashboard: cookies, optional OpenID Connect, the local admin.</summary>
public static class AuthSetup
{
    /// <summary>Policy names, one per role: a page or endpoint for Analysts uses <c>[Authorize(Policy = AuthSetup.Analyst)]</c>.</summary>
    public const string Viewer = nameof(Role.Viewer);
    public const string Analyst = nameof(Role.Analyst);
    public const string Operator = nameof(Role.Operator);
    public const string Admin = nameof(Role.Admin);

    public const string SignInPath = "/signin";

    /// <summary>Where a signed-in person is sent for a page their role does not open (the sign-in page, saying so).</summary>
    public const string DeniedPath = "/denied";

    public static IServiceCollection AddEcomOpsAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<SignInMode>();
        services.AddSingleton<LocalUsers>();

        // Before Core's own registration (TryAdd): nobody is the caller unless a request or circuit says who.
        services.AddSingleton<IAccess>(sp =>
        {
            var mode = sp.GetRequiredService<SignInMode>();
            return new Access(() => mode.Fallback);
        });

        // The keys behind sign-in cookies and antiforgery tokens live with the data, not in the process's home folder,
        // which a new container (same volume) does not have: everyone would be signed out and every open form refused.
        var keys = services.AddDataProtection().SetApplicationName("EcomOps");
        if (KeysFolder(configuration) is { } folder)
        {
            keys.PersistKeysToFileSystem(folder);
        }

        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var builder = services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                if (auth.Oidc.Enabled && auth.Users.Count == 0)
                {
                    o.DefaultChallengeScheme = OidcSignIn.Scheme;
                }
            })
            .AddCookie(o =>
            {
                o.LoginPath = SignInPath;
                o.AccessDeniedPath = DeniedPath;
                o.Cookie.Name = "ecomops.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(auth.SessionHours);
                o.SlidingExpiration = true;
            });
        if (auth.Oidc.Enabled)
        {
            builder.AddEcomOpsOidc(auth.Oidc);
        }

        services.AddAuthorization(o =>
        {
            // Every endpoint needs a signed-in person with a role unless it says otherwise (probes, sign-in, assets).
            o.FallbackPolicy = RolePolicy(Role.Viewer);
            foreach (var role in Enum.GetValues<Role>())
            {
                o.AddPolicy(role.ToString(), RolePolicy(role));
            }
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<CircuitUser>();
        services.AddScoped<CircuitHandler, CallerCircuitHandler>();
        return services;
    }

    /// <summary>
    /// Authentication, the local admin's principal in that mode, and Core's caller for the rest of each request.
    /// After routing, before the endpoints.
    /// </summary>
    public static WebApplication UseEcomOpsAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            var mode = context.RequestServices.GetRequiredService<SignInMode>();
            if (mode.Kind == SignInKind.LocalAdmin)
            {
                // Loopback only, no sign-in: everyone who can connect is this machine's user. Not so through a proxy on
                // this machine, which would make everyone it forwards the admin.
                if (ForwardedOrRemote(context) is { } why)
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync($"This dashboard has no sign-in configured, so it only serves its own machine directly ({why}). Set EcomOps:Auth:Users or EcomOps:Auth:Oidc to serve others.");
                    return;
                }

                context.User = CallerClaims.Principal(Caller.LocalAdmin, "LocalAdmin");
            }

            using var caller = CallerClaims.From(context.User) is { } known
                ? context.RequestServices.GetRequiredService<IAccess>().Use(known)
                : null;
            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    /// <summary>The sign-in and sign-out endpoints.</summary>
    public static IEndpointRouteBuilder MapEcomOpsAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapLocalSignIn();
        endpoints.MapOidcSignIn();
        return endpoints;
    }

    // <DataRoot>/keys; null for a data root that is no path, which EcomOpsOptions' validation refuses at start-up.
    private static DirectoryInfo? KeysFolder(IConfiguration configuration)
    {
        var dataRoot = configuration.GetSection(EcomOpsOptions.Section).Get<EcomOpsOptions>()?.DataRoot ?? new EcomOpsOptions().DataRoot;
        try
        {
            return string.IsNullOrWhiteSpace(dataRoot) ? null : new DirectoryInfo(Path.Combine(Path.GetFullPath(dataRoot), "keys"));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    private static AuthorizationPolicy RolePolicy(Role role) =>
        new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(c => CallerClaims.From(c.User)?.Has(role) == true)
            .Build();

    private static readonly string[] ProxyHeaders = ["X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Proto"];

    private static string? ForwardedOrRemote(HttpContext context)
    {
        // nginx's common set-up sends X-Real-IP, some proxies only X-Forwarded-Host/-Proto: any of them means a proxy.
        if (ProxyHeaders.Any(context.Request.Headers.ContainsKey))
        {
            return "the request came through a proxy";
        }

        if (context.Connection.RemoteIpAddress is { } ip && !IPAddress.IsLoopback(ip))
        {
            return $"the request came from {ip}";
        }

        // A loopback connection for another host name is a browser that was made to resolve some site's name to this
        // machine (DNS rebinding): that site's pages would be the admin. This machine's own names are loopback ones.
        return IsLoopbackName(context.Request.Host.Host) ? null : $"the request was for the host '{context.Request.Host.Host}', not localhost or a loopback address";
    }

    // No Host at all (HTTP/1.0) is no browser: browsers always name the host. Browsers resolve *.localhost to loopback
    // themselves (RFC 6761), so those names are this machine too; as a listening address Kestrel would not take them so.
    private static bool IsLoopbackName(string host) =>
        host.Length == 0
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || SignInMode.IsLoopbackHost(host);
}
