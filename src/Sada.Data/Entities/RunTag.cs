namespace Sada.Data.Entities;

/// <summary>One tag on a run: a short label the runs table filters by (a row per tag, so that a filter is an index seek).</summary>
public class RunTag
{
    public int RunId { get; set; }
    public required string Name { get; set; }
}
