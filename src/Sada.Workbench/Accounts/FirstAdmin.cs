using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Sada.Workbench.Accounts;

/// <summary>
/// At start: makes sure the three roles exist, and on a database with no users creates the first admin from
/// configuration, or with a generated password printed once to the console (never logged: logs are kept, consoles not).
/// </summary>
public sealed class FirstAdmin(UserManager<IdentityUser> users, RoleManager<IdentityRole> roles, IOptions<AccountOptions> options,
    ILogger<FirstAdmin> logger)
{
    /// <summary>The generated password, or null when none was generated. Returned for tests; printed by the caller.</summary>
    public async Task<string?> EnsureAsync(TextWriter console)
    {
        foreach (var role in WorkbenchRoles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"creating the {role} role");

        if (users.Users.Any()) return null;

        var email = options.Value.AdminEmail;
        var configured = options.Value.AdminPassword;
        var password = string.IsNullOrEmpty(configured) ? PasswordGenerator.Generate() : configured;
        var admin = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(admin, password), $"creating the first admin {email} (check Sada:Accounts:AdminEmail and Sada:Accounts:AdminPassword)");
        Check(await users.AddToRoleAsync(admin, WorkbenchRoles.Admin), $"giving {email} the Admin role");

        if (!string.IsNullOrEmpty(configured))
        {
            logger.LogInformation("Created the first admin {Email} with the password from Sada:Accounts:AdminPassword", email);
            return null;
        }
        logger.LogWarning("Created the first admin {Email} with a generated password, printed once on the console", email);
        console.WriteLine();
        console.WriteLine("  First start: an admin account was created. Sign in with");
        console.WriteLine($"    email:    {email}");
        console.WriteLine($"    password: {password}");
        console.WriteLine("  This password is shown only now. Change it on the Users page, or set Sada:Accounts:AdminPassword before the first start.");
        console.WriteLine();
        return password;
    }

    static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Failed {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
