using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>
/// The one rule for a run's "step N / T", used by the runs list (through <see cref="RunSummary.Step"/>) and the run page.
/// Steps are numbered from 0 and the stored step is the last one the run reached, so a completed 60-step run stores 59:
/// it shows 60 / 60, every step done. Any other run shows the step it reached (0 while queued).
/// </summary>
public static class RunSteps
{
    public static int Shown(RunStatus status, int step, int totalSteps) => status == RunStatus.Completed ? totalSteps : step;

    /// <summary>The same for a status as the run events carry it (<see cref="Events.RunStatusMessage.Status"/>).</summary>
    public static int Shown(string status, int step, int totalSteps) =>
        Shown(status == nameof(RunStatus.Completed) ? RunStatus.Completed : RunStatus.Running, step, totalSteps);
}
