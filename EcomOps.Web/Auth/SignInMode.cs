using System.Net;
using EcomOps.Core.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace EcomOps.Web.Auth;

/// <summary>How this dashboard lets people in, decided once the server knows the addresses it listens on.</summary>
public enum SignInKind
{
    /// <summary>The server has not started yet: nobody is let in.</summary>
    Starting,

    /// <summary>Loopback only and no sign-in configured: one local Admin, no sign-in.</summary>
    LocalAdmin,

    /// <summary>Local users or an OpenID Connect provider: everyone signs in.</summary>
    SignIn,

    /// <summary>Listening beyond loopback with no sign-in configured: nobody is let in until it is.</summary>
    Locked,
}

/// <summary>
/// Decides <see cref="SignInKind"/>: the local admin is only for a dashboard nobody else can reach, so it needs every
/// address the server listens on to be loopback (127.0.0.0/8, ::1, localhost) and no sign-in configured.
/// </summary>
public sealed class SignInMode(IServer server, IOptions<AuthOptions> options, ILogger<SignInMode> logger)
{
    private SignInKind? _kind;

    public SignInKind Kind
    {
        get
        {
            if (_kind is { } known)
            {
                return known;
            }

            // Races only decide the same thing twice.
            _kind = Decide();
            return _kind ?? SignInKind.Starting;
        }
    }

    /// <summary>The addresses the decision was made on, for the log and the sign-in page.</summary>
    public IReadOnlyList<string> Addresses => server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    /// <summary>The Core caller when nobody else is set: the local admin in that mode, else nobody.</summary>
    public Caller? Fallback => Kind == SignInKind.LocalAdmin ? Caller.LocalAdmin : null;

    private SignInKind? Decide()
    {
        if (options.Value.SignInConfigured)
        {
            return SignInKind.SignIn;
        }

        var addresses = Addresses;
        if (addresses.Count == 0)
        {
            // Not listening yet (hosted services starting): decide again at the first request.
            return null;
        }

        if (addresses.All(IsLoopback))
        {
            logger.LogInformation("No sign-in configured and listening on loopback only ({Addresses}): the dashboard is used as the local admin without sign-in", string.Join(", ", addresses));
            return SignInKind.LocalAdmin;
        }

        logger.LogWarning(
            "Listening on {Addresses}, beyond loopback, with no sign-in configured: nobody can sign in. Set EcomOps:Auth:Users or EcomOps:Auth:Oidc, or listen on 127.0.0.1 only",
            string.Join(", ", addresses));
        return SignInKind.Locked;
    }

    internal static bool IsLoopback(string address)
    {
        // Kestrel's forms: http://127.0.0.1:5044, http://[::1]:5044, http://localhost:5044, http://*:80, http://+:80, http://0.0.0.0:80.
        return IsLoopbackHost(BindingAddressHost(address));
    }

    /// <summary>Whether a host name or address is this machine's loopback: <c>localhost</c>, 127.0.0.0/8 or ::1 (brackets allowed).</summary>
    internal static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string BindingAddressHost(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? address : address[(start + 3)..];
        var end = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']);
        return end <= 0 ? rest : rest[..end];
    }
}
