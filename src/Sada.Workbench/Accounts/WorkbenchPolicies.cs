using Microsoft.AspNetCore.Authorization;

namespace Sada.Workbench.Accounts;

/// <summary>
/// What a signed-in person may do, as named policies used alike by pages (<c>[Authorize(Policy = ...)]</c>,
/// <c>&lt;AuthorizeView Policy=...&gt;</c>), API endpoints and the hub, so a role's rights are stated once, here.
/// </summary>
public static class WorkbenchPolicies
{
    /// <summary>See datasets, runs, studies, reviews; predict with a trained run. Every role.</summary>
    public const string Read = "read";

    /// <summary>Start, cancel and re-run runs and studies. Admins and researchers.</summary>
    public const string Train = "train";

    /// <summary>Register, extend and delete datasets. Admins.</summary>
    public const string ManageData = "manage-data";

    /// <summary>Create users, set their roles and passwords. Admins.</summary>
    public const string ManageUsers = "manage-users";

    /// <summary>The sentence shown to someone signed in whose role lacks the policy.</summary>
    public static string Refusal(string policy) => policy switch
    {
        Read => "Your account has no workbench role yet; ask an admin to give it one.",
        Train => "Starting or cancelling runs needs the Researcher or Admin role; your account is read-only.",
        ManageData => "Registering or changing datasets needs the Admin role.",
        ManageUsers => "Managing users needs the Admin role.",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not a workbench policy"),
    };

    /// <summary>Which roles each policy admits: the one statement of a role's rights.</summary>
    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>
    {
        [Read] = [WorkbenchRoles.Admin, WorkbenchRoles.Researcher, WorkbenchRoles.Reviewer],
        [Train] = [WorkbenchRoles.Admin, WorkbenchRoles.Researcher],
        [ManageData] = [WorkbenchRoles.Admin],
        [ManageUsers] = [WorkbenchRoles.Admin],
    };

    /// <summary>The policies a role satisfies.</summary>
    public static string[] Of(string role) => Roles.Where(p => p.Value.Contains(role)).Select(p => p.Key).ToArray();

    public static AuthorizationBuilder AddWorkbenchPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (policy, roles) in Roles) builder.AddPolicy(policy, p => p.RequireRole(roles));
        return builder;
    }
}
