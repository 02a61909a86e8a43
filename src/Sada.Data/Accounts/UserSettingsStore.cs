using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Accounts;

/// <summary>
/// What the workbench remembers per account (<see cref="UserSettings"/>, one row per Identity user id, made on the first
/// change): for now whether the pages are dark. An account without a row has the defaults (light).
/// </summary>
public sealed class UserSettingsStore(IDbContextFactory<SadaDbContext> dbs)
{
    /// <summary>Whether the account chose dark mode; false for an account that never chose.</summary>
    public async Task<bool> DarkModeAsync(string userId, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId).Select(s => s.DarkMode).FirstOrDefaultAsync(cancellation);
    }

    /// <summary>Remembers the account's choice: updates its row, or adds it (a concurrent first write by another page is updated instead).</summary>
    public async Task SetDarkModeAsync(string userId, bool dark, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        if (await db.UserSettings.Where(s => s.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(x => x.DarkMode, dark), cancellation) > 0) return;
        db.UserSettings.Add(new UserSettings { UserId = userId, DarkMode = dark });
        try
        {
            await db.SaveChangesAsync(cancellation);
        }
        catch (DbUpdateException)
        {
            // Another circuit of the same account added the row first: this later choice wins.
            await using var again = await dbs.CreateDbContextAsync(cancellation);
            await again.UserSettings.Where(s => s.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(x => x.DarkMode, dark), cancellation);
        }
    }
}
