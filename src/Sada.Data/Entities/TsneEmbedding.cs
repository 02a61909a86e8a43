namespace Sada.Data.Entities;

/// <summary>A 2-D t-SNE of backbone features of a stratified sample of cells, with a domain-mixing score.</summary>
public class TsneEmbedding
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    /// <summary>"stage1", "final" or "checkpoint".</summary>
    public required string Label { get; set; }
    /// <summary>JSON array of {x, y, center, class}.</summary>
    public required string PointsJson { get; set; }
    /// <summary>Accuracy of a k-NN center classifier on the 2-D points: lower means more domain-invariant.</summary>
    public double MixingScore { get; set; }
    public double KlDivergence { get; set; }
    public DateTime CreatedAt { get; set; }
}
