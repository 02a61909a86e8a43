using System.Globalization;
using System.Reflection;
using Sada.Core.Algorithms;
using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Core.Training;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;

namespace Sada.Workbench.Runs;

/// <summary>
/// Trains queued runs one at a time, on a dedicated thread (training is long and synchronous; the Blazor circuits keep
/// the thread pool). At start, the runs this worker's previous life left running are requeued at once (its identity,
/// <see cref="WorkerIdentity"/>, survives restarts); and every HeartbeatInterval, idle or training, it requeues the runs of
/// any worker whose heartbeat is older than StaleAfter, on this machine or another. Requeued runs resume from their
/// checkpoint under &lt;data&gt;/runs/&lt;id&gt;/. Each TrainingEvent is stored (<see cref="RunStore"/>) and then published
/// (<see cref="IRunEvents"/>). A heartbeat marks the running row alive and reads cancel requests; a worker whose run was
/// taken from it (requeued as stale) stops it and writes nothing more. A failure marks the run failed with its message
/// and the worker goes on; a host shutdown puts the run back in the queue, for any worker to resume.
/// </summary>
public sealed class RunWorker(
    RunQueue queue, RunStore store, IRunEvents events, RunCatalog runs, DatasetReads datasets, SadaOptions sada,
    RunWorkerOptions options, TorchStatus torch, ILogger<RunWorker> logger) : BackgroundService
{
    RunStore Store => store;
    IRunEvents Events => events;

    public string WorkerId { get; } = WorkerIdentity.Resolve(options.WorkerId);

    long _lastSweep = long.MinValue;

    /// <summary>The host's stopping token, once the worker runs (tests wait on it).</summary>
    internal CancellationToken Stopping { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Stopping = stoppingToken;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(stoppingToken);
                done.TrySetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                done.TrySetResult();
            }
            catch (Exception e)
            {
                logger.LogError(e, "The run worker stopped");
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = "sada-run-worker" };
        thread.Start();
        return done.Task;
    }

    void Loop(CancellationToken stop)
    {
        if (!torch.Loaded)
        {
            logger.LogError("The run worker does not start: TorchSharp did not load ({Error})", torch.Error);
            return;
        }
        using var identity = WorkerIdentity.Acquire(WorkerId, sada.ResolveDataDirectory(), options.StaleAfter, stop);
        logger.LogInformation("Run worker {Worker} started", WorkerId);
        foreach (var id in Wait(queue.RecoverOwnAsync(WorkerId, stop)))
        {
            logger.LogWarning("Run {Run} was left running by this worker's previous process: queued again, it resumes from its checkpoint", id);
            PublishStatus(id);
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Sweep(stop);
                var run = Wait(queue.ClaimNextAsync(WorkerId, stop));
                if (run is null)
                {
                    stop.WaitHandle.WaitOne(options.PollInterval);
                    continue;
                }
                Execute(run, stop);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // The database was unreachable or busy past its timeout: the worker waits and tries again, it does not stop.
                logger.LogError(e, "The run worker could not reach the database; retrying in {Interval}", options.PollInterval);
                stop.WaitHandle.WaitOne(options.PollInterval);
            }
        }
    }

    void Execute(Run run, CancellationToken stop)
    {
        var target = RunRef.Of(run);
        logger.LogInformation("Run {Run}: {Algorithm} holding out {Center}", run.Id, run.Algorithm, run.HoldoutCenter);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var forwarder = new Forwarder(this, target, run.Step);
        bool cancelRequested = false, lost = false;
        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(options.HeartbeatInterval);
            do
            {
                switch (await queue.HeartbeatAsync(run.Id, WorkerId, forwarder.Step, cancel.Token))
                {
                    case HeartbeatReply.CancelRequested:
                        cancelRequested = true;
                        await cancel.CancelAsync();
                        break;
                    case HeartbeatReply.Lost:
                        lost = true;
                        await cancel.CancelAsync();
                        break;
                }
                // A busy worker still frees the runs of dead ones, for the idle workers to take; a failed sweep must not stop the heartbeat.
                try { Sweep(cancel.Token); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "Looking for runs of dead workers failed"); }
            } while (await timer.WaitForNextTickAsync(cancel.Token));
        }, cancel.Token);
        try
        {
            PublishStatus(run.Id);
            var (dataset, config) = Prepare(run);
            var device = TorchRuntime.Device;
            var directory = Path.Combine("runs", run.Id.ToString(CultureInfo.InvariantCulture));
            Wait(store.StartAsync(run.Id, torch.Device, CodeVersion, directory, config.Steps, CancellationToken.None));
            PublishStatus(run.Id);
            var trainer = new Trainer(dataset, run.HoldoutCenter, config, n => AlgorithmRegistry.Create(config, n, device), device,
                new TrainerOptions
                {
                    CheckpointDirectory = Path.Combine(sada.ResolveDataDirectory(), directory), Resume = true,
                    ProgressInterval = options.ProgressInterval, EvalBatchSize = options.EvalBatchSize, CacheMegabytes = sada.Data.CacheMegabytes,
                    Embedding = options.Embedding.ToTrainer(config.Seed),
                }, forwarder);
            var result = trainer.Run(cancel.Token);
            forwarder.Report(new TrainingLog("info", $"Completed: held-out accuracy {result.Selected.Accuracy:P1} at the selected step {result.SelectedStep}."));
            if (Wait(queue.CompleteAsync(run.Id, WorkerId, CancellationToken.None))) logger.LogInformation("Run {Run} completed", run.Id);
            else logger.LogWarning("Run {Run} finished here but was no longer this worker's: its result is not recorded", run.Id);
        }
        catch (OperationCanceledException) when (lost)
        {
            logger.LogWarning("Run {Run} was taken from this worker (its heartbeat went stale or it was cancelled): stopped at step {Step}", run.Id, forwarder.Step);
        }
        catch (OperationCanceledException) when (cancelRequested && !stop.IsCancellationRequested)
        {
            forwarder.Report(new TrainingLog("info", $"Cancelled at step {forwarder.Step}."));
            Wait(queue.MarkCancelledAsync(run.Id, WorkerId, CancellationToken.None));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The worker stops: the run goes back to the queue, and any worker (this one after a restart) resumes it from its checkpoint.
            logger.LogWarning("Run {Run} interrupted by shutdown at step {Step}; queued again to resume from its checkpoint", run.Id, forwarder.Step);
            try
            {
                if (Wait(queue.ReleaseAsync(run.Id, WorkerId, CancellationToken.None))) PublishStatus(run.Id);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Run {Run} could not be queued again; a live worker requeues it once its heartbeat is stale", run.Id);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {Run} failed", run.Id);
            try { forwarder.Report(new TrainingLog("error", e.Message)); }
            catch (Exception inner) { logger.LogError(inner, "Could not store the failure log of run {Run}", run.Id); }
            Wait(queue.FailAsync(run.Id, WorkerId, e.Message, CancellationToken.None));
        }
        finally
        {
            cancel.Cancel();
            try { heartbeat.GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
            catch (Exception e) { logger.LogWarning(e, "Heartbeat of run {Run} failed", run.Id); }
        }
        if (!stop.IsCancellationRequested) PublishStatus(run.Id);
    }

    /// <summary>Requeues the runs of dead workers (at most once per HeartbeatInterval, from the loop or a heartbeat).</summary>
    void Sweep(CancellationToken cancellation)
    {
        long now = Environment.TickCount64, last = Interlocked.Read(ref _lastSweep);
        if (last != long.MinValue && now - last < (long)options.HeartbeatInterval.TotalMilliseconds) return;
        if (Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var id in Wait(queue.RecoverStaleAsync(cancellation)))
        {
            logger.LogWarning("Run {Run} had no live worker (heartbeat older than {StaleAfter}): queued again, it resumes from its checkpoint", id, options.StaleAfter);
            PublishStatus(id);
        }
    }

    (Core.Data.MultiCenterDataset Dataset, AlgorithmConfig Config) Prepare(Run run)
    {
        AlgorithmConfig config;
        try
        {
            // The row's seed is the run's (a study's grid sets it); the rest is the stored config.
            config = AlgorithmConfig.FromJson(run.ConfigJson) with { Seed = run.Seed };
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"The run's config is not valid JSON: {e.Message}", e);
        }
        config.EnsureValid();
        var dataset = Wait(datasets.ReadAsync(catalog => catalog.ToMultiCenterDataset(catalog.NameOf(run.DatasetId)
            ?? throw new InvalidOperationException($"Dataset {run.DatasetId} of run {run.Id} does not exist."))));
        dataset.CenterIndex(run.HoldoutCenter);
        return (dataset, config);
    }

    void PublishStatus(int runId)
    {
        var run = Wait(runs.FindAsync(runId));
        if (run is not null) Publish(() => events.StatusChangedAsync(RunRef.Of(run), RunStatusMessage.From(run)));
    }

    /// <summary>Publishing is best effort: a hub that fails never stops a run (what was stored is there for late joiners).</summary>
    void Publish(Func<Task> send)
    {
        try { Wait(send()); }
        catch (Exception e) { logger.LogWarning(e, "Publishing a run event failed"); }
    }

    static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
    static void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>The git commit the build came from (the SDK puts it after '+' in the informational version), else the version.</summary>
    public static string CodeVersion { get; } = FindCodeVersion();

    static string FindCodeVersion()
    {
        var version = typeof(RunWorker).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? typeof(RunWorker).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return plus >= 0 ? version[(plus + 1)..] : version;
    }

    /// <summary>Each TrainingEvent, on the training thread: stored first, then published.</summary>
    sealed class Forwarder(RunWorker worker, RunRef run, int step) : IProgress<TrainingEvent>
    {
        volatile int _step = step;
        public int Step => _step;

        public void Report(TrainingEvent value)
        {
            var store = worker.Store;
            var events = worker.Events;
            switch (value)
            {
                case TrainingLog { Level: "progress" }:
                    break; // decoding progress: too many lines to keep
                case TrainingLog log:
                    var line = Wait(store.AddLogAsync(run.RunId, log.Level, log.Message));
                    worker.Publish(() => events.LogAsync(run, LogMessage.From(line)));
                    break;
                case TrainingProgress progress:
                    _step = progress.Step;
                    worker.Publish(() => events.ProgressAsync(run, ProgressMessage.From(run.RunId, progress)));
                    break;
                case EvaluationRecord evaluation:
                    _step = Math.Max(_step, evaluation.Step);
                    if (Wait(store.AddEvaluationAsync(run.RunId, evaluation)) is { } row)
                        worker.Publish(() => events.EvaluationAsync(run, MetricMessage.From(row)));
                    break;
                case TrainingResumed resumed:
                    _step = resumed.FromStep;
                    foreach (var written in Wait(store.ReconcileAsync(run.RunId, resumed)))
                        worker.Publish(() => events.EvaluationAsync(run, MetricMessage.From(written)));
                    break;
                case TrainingStepLosses losses:
                    if (Wait(store.AddStepLossesAsync(run.RunId, losses)) is { } logged)
                        worker.Publish(() => events.StepLossesAsync(run, StepLossesMessage.From(logged)));
                    break;
                case StageOneCollapsed collapsed:
                    // Stored, logged as a warning, and published with the status, which carries the step to the run page.
                    Wait(store.MarkCollapsedAsync(run.RunId, collapsed.Step));
                    var warning = Wait(store.AddLogAsync(run.RunId, "warning", collapsed.Message));
                    worker.Publish(() => events.LogAsync(run, LogMessage.From(warning)));
                    worker.PublishStatus(run.RunId);
                    break;
                case EmbeddingRecord embedding:
                    if (Wait(store.AddEmbeddingAsync(run.RunId, embedding)) is { } stored)
                        worker.Publish(() => events.EmbeddingAsync(run, EmbeddingMessage.From(stored)));
                    break;
            }
        }
    }
}
