namespace Sada.Data.Entities;

/// <summary>A group of runs: a grid of algorithms/ablations x held-out centers x seeds.</summary>
public class Study
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    /// <summary>The grid the study was created from, as JSON.</summary>
    public required string GridJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Run> Runs { get; set; } = [];
}
