using Microsoft.EntityFrameworkCore;
using Sada.Data.Accounts;

namespace Sada.Data.Tests.Accounts;

/// <summary>Dark mode per account, in the UserSettings table.</summary>
public sealed class UserSettingsStoreTests : IDisposable
{
    readonly TempDatabase _db = new();
    readonly UserSettingsStore _store;

    public UserSettingsStoreTests() => _store = new UserSettingsStore(new DbFactory(_db));

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task An_account_that_never_chose_is_light_and_its_choice_is_kept_for_it_alone()
    {
        Assert.False(await _store.DarkModeAsync("user-a"));

        await _store.SetDarkModeAsync("user-a", true);

        Assert.True(await _store.DarkModeAsync("user-a"));
        Assert.False(await _store.DarkModeAsync("user-b"));
        using (var db = _db.Open())
            Assert.Equal(("user-a", true), db.UserSettings.AsNoTracking().Select(s => new { s.UserId, s.DarkMode }).AsEnumerable().Select(s => (s.UserId, s.DarkMode)).Single());

        // Back to light: the same row, updated.
        await _store.SetDarkModeAsync("user-a", false);
        await _store.SetDarkModeAsync("user-b", true);
        Assert.False(await _store.DarkModeAsync("user-a"));
        Assert.True(await _store.DarkModeAsync("user-b"));
        using (var db = _db.Open())
            Assert.Equal(2, db.UserSettings.Count());
    }

    [Fact]
    public async Task Two_pages_choosing_at_once_leave_one_row()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _store.SetDarkModeAsync("user-c", true)));
        Assert.True(await _store.DarkModeAsync("user-c"));
        using var db = _db.Open();
        Assert.Equal(1, db.UserSettings.Count(s => s.UserId == "user-c"));
    }

    [Fact]
    public async Task An_empty_user_id_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DarkModeAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SetDarkModeAsync("", true));
    }
}
