namespace Sada.Data.Entities;

/// <summary>One center (hospital, domain) of a dataset.</summary>
public class Center
{
    public int Id { get; set; }
    public int DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    public required string Name { get; set; }
    public int ImageCount { get; set; }
    /// <summary>Images per class, as JSON {"neutrophil": 412, ...}; kept with the center so listings need no scan.</summary>
    public string ClassCountsJson { get; set; } = "{}";
    /// <summary>Median SNMF stain matrix (3 x 2) and background (3) over a sample, as JSON; null until computed.</summary>
    public string? StainFingerprintJson { get; set; }
    /// <summary>Content hashes of a few representative images, as a JSON array.</summary>
    public string ThumbnailHashesJson { get; set; } = "[]";
    public DateTime CreatedAt { get; set; }
    public List<CellImage> Images { get; set; } = [];
}
