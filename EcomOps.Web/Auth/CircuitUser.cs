using EcomOps.Core.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace EcomOps.Web.Auth;

/// <summary>
/// The person using this circuit (or this prerender), for pages to enable what their role allows. Core checks again
/// on every call; this is only so people are not offered buttons that would be refused.
/// </summary>
public sealed class CircuitUser(IAccess access, AuthenticationStateProvider? authentication = null)
{
    /// <summary>Who is signed in; without a sign-in provider (component tests) Core's current caller.</summary>
    public Caller? Caller
    {
        get
        {
            if (authentication is null)
            {
                return access.Current;
            }

            // Blazor Server's provider holds a finished task (from the request that opened the circuit).
            var state = authentication.GetAuthenticationStateAsync();
            return (state.IsCompletedSuccessfully ? CallerClaims.From(state.Result.User) : null) ?? access.Current;
        }
    }

    /// <summary>Whether the role allows <paramref name="action"/>.</summary>
    public bool Allows(CoreAction action) => Caller?.Has(AccessPolicy.Required(action)) == true;

    /// <summary>Why a button is off, for its tooltip: "Needs the Operator role".</summary>
    public string? WhyNot(CoreAction action) => Allows(action) ? null : $"Needs the {AccessPolicy.Required(action)} role";
}

/// <summary>
/// Makes the circuit's person Core's caller (<see cref="IAccess.Use"/>) for every event, render and interop call the
/// browser sends, the way Blazor documents passing circuit state to services outside the circuit's scope.
/// </summary>
internal sealed class CallerCircuitHandler(CircuitUser user, IAccess access) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            using var caller = user.Caller is { } known ? access.Use(known) : null;
            await next(context);
        };
}
