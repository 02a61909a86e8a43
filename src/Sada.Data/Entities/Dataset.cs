namespace Sada.Data.Entities;

/// <summary>A multi-center dataset: a list of centers (domains), each with labelled cell images.</summary>
public class Dataset
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>True for the procedurally generated blood-cell set the workbench registers at first start.</summary>
    public bool IsSynthetic { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Center> Centers { get; set; } = [];
}
