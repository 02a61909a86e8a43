namespace Sada.Data.Entities;

/// <summary>One evaluation of a run at a step: losses, held-out metrics and training-center validation.</summary>
public class RunMetric
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    /// <summary>1 (feature learning) or 2 (classification); 2 for single-stage runs.</summary>
    public int Stage { get; set; }
    /// <summary>
    /// JSON {"name": mean, ...}: each loss the algorithm's update returned, averaged over the steps since the previous
    /// evaluation that reported it, keyed by the algorithm's own names (none is known here).
    /// </summary>
    public string LossesJson { get; set; } = "{}";
    /// <summary>Held-out accuracy, which equals F1-micro for single-label data.</summary>
    public double? HeldOutAccuracy { get; set; }
    public double? HeldOutF1Macro { get; set; }
    /// <summary>JSON {"neutrophil": 0.93, ...}.</summary>
    public string PerClassRecallJson { get; set; } = "{}";
    /// <summary>JSON {"classes": [...], "counts": [[...]]}, rows = true class.</summary>
    public string ConfusionJson { get; set; } = "{}";
    /// <summary>Validation accuracy per training center, JSON {"center": 0.9, ...}; drives model selection.</summary>
    public string ValidationJson { get; set; } = "{}";
    public double? ValidationAccuracy { get; set; }
    public double? ImagesPerSecond { get; set; }
    public double ElapsedSeconds { get; set; }
    public DateTime CreatedAt { get; set; }
}
