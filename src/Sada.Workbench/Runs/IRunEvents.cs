using Microsoft.AspNetCore.SignalR;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// The one interface the worker publishes through. Each event goes to the run's group and, when the run belongs to a
/// study, to the study's group. The worker stores an event before it publishes it (the hub's late-joiner guarantee
/// rests on that order).
/// </summary>
public interface IRunEvents
{
    Task StatusChangedAsync(RunRef run, RunStatusMessage status);
    Task EvaluationAsync(RunRef run, MetricMessage metric);
    Task ProgressAsync(RunRef run, ProgressMessage progress);
    Task LogAsync(RunRef run, LogMessage log);
    Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding);
    Task StepLossesAsync(RunRef run, StepLossesMessage losses);
}

/// <summary>
/// <see cref="IRunEvents"/> over SignalR's hub context. With several web servers, a backplane (Redis) added to SignalR
/// carries these to every server's clients; the worker does not change.
/// </summary>
public sealed class SignalRRunEvents(IHubContext<RunsHub, IRunsClient> hub) : IRunEvents
{
    public Task StatusChangedAsync(RunRef run, RunStatusMessage status) => To(run, withStudy: true).StatusChanged(status);
    public Task EvaluationAsync(RunRef run, MetricMessage metric) => To(run, withStudy: true).Evaluation(metric);
    public Task ProgressAsync(RunRef run, ProgressMessage progress) => To(run, withStudy: true).Progress(progress);
    // Log lines are per run: a study page would drown in them.
    public Task LogAsync(RunRef run, LogMessage log) => To(run, withStudy: false).Log(log);
    public Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding) => To(run, withStudy: true).Embedding(embedding);
    // Step-level losses are per run, as log lines: a study page charts evaluations.
    public Task StepLossesAsync(RunRef run, StepLossesMessage losses) => To(run, withStudy: false).StepLosses(losses);

    IRunsClient To(RunRef run, bool withStudy) => withStudy && run.StudyId is { } study
        ? hub.Clients.Groups(RunsHub.RunGroup(run.RunId), RunsHub.StudyGroup(study))
        : hub.Clients.Group(RunsHub.RunGroup(run.RunId));
}
