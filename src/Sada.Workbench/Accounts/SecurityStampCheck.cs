using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Whether a signed-in principal still matches its account: the account exists and its security stamp is the one the
/// principal was issued with. A role change, a password reset and a deletion all change (or remove) the stamp, so a
/// bearer token or hub connection issued before them stops working. The current stamp is read from the database at
/// most once per <see cref="MaxAge"/> per user; this process's own account changes <see cref="Forget"/> it at once.
/// </summary>
public sealed class SecurityStampCheck(IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, TimeProvider clock)
{
    /// <summary>How long a stamp read from the database is trusted: a change made by another process takes effect within it.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    sealed record Entry(string? Stamp, DateTimeOffset ReadAt);

    readonly ConcurrentDictionary<string, Entry> _stamps = new();

    /// <summary>True when the principal's account exists and its stamp matches the principal's.</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CancellationToken cancellation = default)
    {
        var options = identity.Value.ClaimsIdentity;
        var userId = principal.FindFirstValue(options.UserIdClaimType);
        var stamp = principal.FindFirstValue(options.SecurityStampClaimType);
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(stamp)) return false;
        var now = clock.GetUtcNow();
        if (!_stamps.TryGetValue(userId, out var entry) || now - entry.ReadAt >= MaxAge)
        {
            entry = new Entry(await ReadStampAsync(userId, cancellation), now);
            _stamps[userId] = entry;
        }
        return entry.Stamp is not null && entry.Stamp == stamp;
    }

    /// <summary>Drops the cached stamp of an account just changed here, so the change takes effect on the next request.</summary>
    public void Forget(string userId) => _stamps.TryRemove(userId, out _);

    async Task<string?> ReadStampAsync(string userId, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByIdAsync(userId);
        // A deleted account has no stamp: every principal of it is stale.
        return user is null ? null : await users.GetSecurityStampAsync(user);
    }
}
