using Microsoft.AspNetCore.SignalR;

namespace Sada.Workbench.Accounts;

/// <summary>
/// A hub connection keeps the identity it connected with; this rechecks its account on every call (through
/// <see cref="SecurityStampCheck"/>, so at most a minute late) and closes the connection of a changed or deleted account.
/// </summary>
public sealed class StampCheckingHubFilter(SecurityStampCheck stamps) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        if (context.User is { } user && !await stamps.IsCurrentAsync(user, context.ConnectionAborted))
        {
            context.Abort();
            throw new HubException(CheckedBearerHandler.Stale);
        }
        return await next(invocationContext);
    }
}
