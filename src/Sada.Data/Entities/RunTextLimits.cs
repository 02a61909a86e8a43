namespace Sada.Data.Entities;

/// <summary>The lengths the database holds for a run's user-written texts; the API refuses longer ones with a message.</summary>
public static class RunTextLimits
{
    public const int Name = 200;
    public const int Notes = 4000;
    public const int Tag = 64;
    public const int TagsPerRun = 32;
}
