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
    public List<RunMetric> Metrics { get; set; } = [];
}
