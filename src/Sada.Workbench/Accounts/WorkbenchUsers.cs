using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Sada.Workbench.Accounts;

/// <summary>One account as the users page shows it: each person has exactly one workbench role.</summary>
public sealed record UserRow(string Id, string Email, string? Role, bool LockedOut);

/// <summary>A refused account change, with a message for the person who asked.</summary>
public sealed class AccountRequestException(string message) : Exception(message);

/// <summary>
/// The admin's account operations: list, create, change role, reset password, delete. The rules that keep the
/// workbench usable live here, not in the page: there is always one admin left, and nobody deletes themselves.
/// </summary>
public sealed class WorkbenchUsers(UserManager<IdentityUser> users, SecurityStampCheck stamps)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken ct = default)
    {
        var all = await users.Users.OrderBy(u => u.Email).ToListAsync(ct);
        var rows = new List<UserRow>(all.Count);
        foreach (var u in all)
            rows.Add(new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, await RoleOfAsync(u), await users.IsLockedOutAsync(u)));
        return rows;
    }

    /// <summary>Creates an account with one role; an empty password is generated. Returns the password to hand over.</summary>
    public async Task<string> CreateAsync(string email, string role, string? password)
    {
        email = email.Trim();
        CheckRole(role);
        if (string.IsNullOrEmpty(email) || !email.Contains('@')) throw new AccountRequestException($"'{email}' is not an email address.");
        if (await users.FindByEmailAsync(email) is not null) throw new AccountRequestException($"An account for {email} already exists.");
        password = string.IsNullOrEmpty(password) ? PasswordGenerator.Generate() : password;
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        return password;
    }

    /// <summary>Gives the account exactly this role. The last admin cannot stop being one.</summary>
    public async Task SetRoleAsync(string userId, string role)
    {
        CheckRole(role);
        var user = await FindAsync(userId);
        var current = await users.GetRolesAsync(user);
        if (current.Contains(WorkbenchRoles.Admin) && role != WorkbenchRoles.Admin && await AdminCountAsync() == 1)
            throw new AccountRequestException($"{user.Email} is the only admin; make someone else an admin first.");
        Check(await users.RemoveFromRolesAsync(user, current));
        Check(await users.AddToRoleAsync(user, role));
        // A new stamp makes signed-in sessions of this user pick up the new role (or lose the old one) at revalidation.
        Check(await users.UpdateSecurityStampAsync(user));
        stamps.Forget(user.Id);
    }

    /// <summary>Sets a new generated password (and ends the account's other sessions); returns it to hand over.</summary>
    public async Task<string> ResetPasswordAsync(string userId)
    {
        var user = await FindAsync(userId);
        var password = PasswordGenerator.Generate();
        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.UpdateSecurityStampAsync(user));
        stamps.Forget(user.Id);
        return password;
    }

    /// <summary>Changes one's own password, checking the current one.</summary>
    public async Task ChangePasswordAsync(string userId, string current, string next)
    {
        var user = await FindAsync(userId);
        Check(await users.ChangePasswordAsync(user, current, next));
        stamps.Forget(user.Id);
    }

    /// <summary>Deletes an account. Not one's own (so an admin cannot lock everyone out), and not the last admin.</summary>
    public async Task DeleteAsync(string userId, string requestedByUserId)
    {
        if (userId == requestedByUserId) throw new AccountRequestException("You cannot delete your own account.");
        var user = await FindAsync(userId);
        if (await users.IsInRoleAsync(user, WorkbenchRoles.Admin) && await AdminCountAsync() == 1)
            throw new AccountRequestException($"{user.Email} is the only admin and cannot be deleted.");
        Check(await users.DeleteAsync(user));
        stamps.Forget(user.Id);
    }

    async Task<IdentityUser> FindAsync(string userId) =>
        await users.FindByIdAsync(userId) ?? throw new AccountRequestException("That account no longer exists.");

    async Task<string?> RoleOfAsync(IdentityUser user) =>
        (await users.GetRolesAsync(user)).Where(WorkbenchRoles.All.Contains).OrderBy(r => WorkbenchRoles.All.ToList().IndexOf(r)).FirstOrDefault();

    async Task<int> AdminCountAsync() => (await users.GetUsersInRoleAsync(WorkbenchRoles.Admin)).Count;

    static void CheckRole(string role)
    {
        if (!WorkbenchRoles.All.Contains(role))
            throw new AccountRequestException($"'{role}' is not a role; the roles are {string.Join(", ", WorkbenchRoles.All)}.");
    }

    static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new AccountRequestException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}
