namespace Sada.Data.Entities;

/// <summary>A labelled cell image of one center.</summary>
public class CellImage
{
    public long Id { get; set; }
    public int CenterId { get; set; }
    public Center? Center { get; set; }
    /// <summary>Normalised class name (lower case, singular), e.g. "neutrophil".</summary>
    public required string ClassName { get; set; }
    public required string OriginalName { get; set; }
    public required string Hash { get; set; }
    public StoredFile? File { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
}
