namespace Sada.Data.Entities;

/// <summary>One training run: an algorithm and its full config, trained on every center but the held-out one.</summary>
public class Run
{
    public int Id { get; set; }
    public int DatasetId { get; set; }
    public Dataset? Dataset { get; set; }
    public int? StudyId { get; set; }
    public Study? Study { get; set; }
    public required string HoldoutCenter { get; set; }
    public required string Algorithm { get; set; }
    /// <summary>The run's full, serialised config record: every hyper-parameter, defaults included.</summary>
    public required string ConfigJson { get; set; }
    public int Seed { get; set; }
    public RunStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Refreshed by the worker while it trains; a running row whose heartbeat is stale was left by a crash.</summary>
    public DateTime? HeartbeatAt { get; set; }
    /// <summary>Which worker claimed the run (machine and process); set by the atomic claim.</summary>
    public string? WorkerId { get; set; }
    public string? Device { get; set; }
    public string? Error { get; set; }
    public string? CodeVersion { get; set; }
    /// <summary>Folder of the run's checkpoints, relative to the data directory.</summary>
    public string? CheckpointDirectory { get; set; }
    public int Step { get; set; }
    public int TotalSteps { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>A name the user gave the run; null shows the run's number and algorithm.</summary>
    public string? Name { get; set; }
    /// <summary>Free notes the user keeps with the run (markdown-free plain text).</summary>
    public string? Notes { get; set; }
    /// <summary>
    /// The model-selected evaluation (best training-center validation accuracy, the released code's rule), copied here
    /// when an evaluation is written so that the runs table can sort and page by it on the server.
    /// </summary>
    public int? SelectedStep { get; set; }
    public double? SelectedAccuracy { get; set; }
    public double? SelectedF1Macro { get; set; }
    /// <summary>Stage 1's step at which the collapse monitor found the contrastive loss at its uniform value; null when it never did.</summary>
    public int? CollapseStep { get; set; }
    public List<RunMetric> Metrics { get; set; } = [];
    public List<RunTag> Tags { get; set; } = [];
}
