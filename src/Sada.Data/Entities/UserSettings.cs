namespace Sada.Data.Entities;

/// <summary>What the workbench remembers per account: display preferences.</summary>
public class UserSettings
{
    /// <summary>The Identity user's id.</summary>
    public required string UserId { get; set; }
    public bool DarkMode { get; set; }
}
