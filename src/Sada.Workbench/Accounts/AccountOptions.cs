namespace Sada.Workbench.Accounts;

/// <summary>Settings under Sada:Accounts: the first admin, created at the first start of an empty database.</summary>
public sealed class AccountOptions
{
    public const string Section = "Sada:Accounts";

    /// <summary>The first admin's email, which is also the sign-in name.</summary>
    public string AdminEmail { get; set; } = "admin@sada.local";

    /// <summary>The first admin's password. Empty: one is generated and printed once to the console.</summary>
    public string? AdminPassword { get; set; }
}
