namespace Sada.Workbench.Accounts;

/// <summary>
/// The three kinds of people the workbench serves. Admin: datasets, users and everything else. Researcher: runs and
/// studies. Reviewer: reads everything, changes nothing.
/// </summary>
public static class WorkbenchRoles
{
    public const string Admin = "Admin";
    public const string Researcher = "Researcher";
    public const string Reviewer = "Reviewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Researcher, Reviewer];

    /// <summary>What the role may do, in one line, for the users page and error messages.</summary>
    public static string Describe(string role) => role switch
    {
        Admin => "datasets, users and everything else",
        Researcher => "starts and cancels runs and studies; reads everything",
        Reviewer => "reads runs, studies and datasets; changes nothing",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a workbench role"),
    };
}
