using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Datasets;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>
/// The worker end to end: a tiny synthetic set, tiny runs queued as rows, everything watched over the hub and checked
/// against the database. One class, so its trainings never overlap (torch's generator is process-wide).
/// </summary>
public class RunWorkerTests
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    static Dictionary<string, string> Settings() => new()
    {
        ["Sada:Worker:PollInterval"] = "00:00:00.100",
        ["Sada:Worker:HeartbeatInterval"] = "00:00:00.500",
        ["Sada:Worker:ProgressInterval"] = "00:00:00",
        ["Sada:Worker:Embedding:Budget"] = "20",
        ["Sada:Worker:Embedding:Iterations"] = "250",
    };

    static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "sada-web-runs-" + Guid.NewGuid().ToString("N"));

    static AlgorithmConfig Sada() => new()
    {
        Algorithm = "sada", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, K = 2, Steps = 6, Stage1Steps = 3, EvalEvery = 2,
        LearningRate = 1e-4, LaHiddenDim = 32,
    };

    static AlgorithmConfig Erm(int steps = 6) => new()
    {
        Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, Steps = steps, Stage1Steps = 0, EvalEvery = 2,
    };

    static async Task<int> QueueAsync(WorkbenchFactory factory, AlgorithmConfig config, string? holdout = null, int? studyId = null)
    {
        await factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync();
        var dataset = await db.Datasets.Include(d => d.Centers).SingleAsync();
        var run = new Run
        {
            DatasetId = dataset.Id, HoldoutCenter = holdout ?? dataset.Centers.OrderBy(c => c.Name).Last().Name, Algorithm = config.Algorithm,
            ConfigJson = config.ToJson(), Seed = 7, Status = RunStatus.Queued, CreatedAt = DateTime.UtcNow, StudyId = studyId,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    static Task<RunHistory?> StoredAsync(WorkbenchFactory factory, int runId) =>
        factory.Services.GetRequiredService<RunStore>().GetHistoryAsync(runId);

    [Fact]
    public async Task A_queued_run_streams_status_every_evaluation_and_its_tsne_and_the_database_has_the_same_numbers()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        int runId = await QueueAsync(factory, Sada() with { LogEvery = 2 });
        var (feed, finished) = await client.SubscribeAsync(runId);
        var status = await finished.WaitAsync(Patience);

        Assert.True(status.Status == "Completed", $"{status.Status}: {status.Error}");
        var stored = (await StoredAsync(factory, runId))!;
        Assert.Equal(RunStatus.Completed, stored.Run.Status);
        Assert.Equal([0, 2, 4, 5], stored.Metrics.Select(m => m.Step));
        Assert.Equal([0, 2, 4, 5], feed.Metrics.Select(m => m.Step));
        foreach (var (sent, row) in feed.Metrics.Zip(stored.Metrics))
        {
            Assert.Equal(row.Stage, sent.Stage);
            Assert.Equal(RunStore.ReadLosses(row), sent.Losses);
            Assert.Equal((row.HeldOutAccuracy, row.HeldOutF1Macro, row.ValidationAccuracy, row.ImagesPerSecond, row.ElapsedSeconds),
                (sent.HeldOutAccuracy, sent.HeldOutF1Macro, sent.ValidationAccuracy, sent.ImagesPerSecond, sent.ElapsedSeconds));
            Assert.Equal(MetricMessage.From(row).Confusion.Counts, sent.Confusion.Counts);
        }
        // Stage-1 losses in stage 1, cross-entropy in stage 2.
        Assert.All(feed.Metrics.Take(2), m => Assert.Contains("la", m.Losses.Keys));
        Assert.All(feed.Metrics.Skip(2), m => Assert.Contains("ce", m.Losses.Keys));

        // Step-level losses every 2 steps and at each stage's last step, stored once and streamed as stored.
        Assert.Equal([(0, 1), (2, 1), (4, 2), (5, 2)], stored.StepLosses.Select(l => (l.Step, l.Stage)));
        static string Text(IReadOnlyDictionary<string, double> losses) => string.Join(",", losses.Select(kv => $"{kv.Key}={kv.Value.ToString("R", CultureInfo.InvariantCulture)}"));
        Assert.Equal(stored.StepLosses.Select(l => (l.Step, l.Stage, Text(RunStore.ReadLosses(l)))), feed.StepLosses.Select(l => (l.Step, l.Stage, Text(l.Losses))));
        Assert.Contains("la", feed.StepLosses[0].Losses.Keys);
        Assert.Contains("ce", feed.StepLosses[^1].Losses.Keys);

        Assert.Equal([("stage1", 2), ("final", 5)], feed.Embeddings.Select(e => (e.Label, e.Step)));
        Assert.Equal(stored.Embeddings.Select(e => (e.Label, e.Step, e.MixingScore, e.KlDivergence)),
            feed.Embeddings.Select(e => (e.Label, e.Step, e.MixingScore, e.KlDivergence)));
        Assert.All(feed.Embeddings, e => Assert.Equal(20, e.Points.Count));
        Assert.All(feed.Embeddings, e => Assert.Equal(2, e.Points.Select(p => p.Center).Distinct().Count()));

        Assert.Equal(stored.Logs.Select(l => l.Id), feed.Logs.Select(l => l.Id));
        Assert.Contains(feed.Logs, l => l.Message.StartsWith("t-SNE 'final'", StringComparison.Ordinal));
        Assert.NotNull(stored.Run.Device);
        Assert.NotNull(stored.Run.CodeVersion);
        Assert.Equal(Path.Combine("runs", runId.ToString(CultureInfo.InvariantCulture)), stored.Run.CheckpointDirectory);
        Assert.True(File.Exists(Path.Combine(factory.DataDirectory, "runs", runId.ToString(CultureInfo.InvariantCulture), "last.ckpt")));

        // Nothing came twice, and the history came before anything live.
        var delivered = feed.Delivered;
        Assert.Equal(delivered.OfType<MetricMessage>().Count(), delivered.OfType<MetricMessage>().Select(m => m.Step).Distinct().Count());
        Assert.Equal(delivered.OfType<LogMessage>().Count(), delivered.OfType<LogMessage>().Select(m => m.Id).Distinct().Count());
        Assert.IsType<RunStatusMessage>(delivered[0]);

        // On demand: the stored best weights, embedded once, and published.
        var embedder = factory.Services.GetRequiredService<CheckpointEmbedder>();
        var onDemand = await embedder.EmbedAsync(runId);
        var selected = stored.Metrics.OrderByDescending(m => m.ValidationAccuracy).ThenBy(m => m.Step).First().Step;
        Assert.Equal(("checkpoint", selected, 20), (onDemand.Label, onDemand.Step, onDemand.Points.Count));
        Assert.Equal(onDemand.Id, (await embedder.EmbedAsync(runId)).Id);
        Assert.Equal(3, (await StoredAsync(factory, runId))!.Embeddings.Count);

        // A late joiner gets it all from the history.
        await using var late = await RunHubClient.ConnectAsync(factory);
        var (lateFeed, lateFinished) = await late.SubscribeAsync(runId);
        Assert.True(lateFinished.IsCompleted);
        Assert.Equal(feed.Metrics.Select(m => (m.Step, m.Losses["total"], m.HeldOutAccuracy)), lateFeed.Metrics.Select(m => (m.Step, m.Losses["total"], m.HeldOutAccuracy)));
        Assert.Equal(feed.StepLosses.Select(l => (l.Step, l.Losses["total"])), lateFeed.StepLosses.Select(l => (l.Step, l.Losses["total"])));
        Assert.Equal((await StoredAsync(factory, runId))!.Embeddings.Select(e => e.Id), lateFeed.Embeddings.Select(e => e.Id));
        Assert.Equal(onDemand.Id, lateFeed.Embeddings[^1].Id);
    }

    /// <summary>Publishes through the real hub and, after the evaluation at <paramref name="step"/>, holds the worker until the
    /// host stops: the run is interrupted right after a checkpoint, as a crash would leave it.</summary>
    sealed class StopAfterEvaluation(IRunEvents inner, int step, IServiceProvider services, TaskCompletionSource reached) : IRunEvents
    {
        public Task StatusChangedAsync(RunRef run, RunStatusMessage status) => inner.StatusChangedAsync(run, status);
        public Task ProgressAsync(RunRef run, ProgressMessage progress) => inner.ProgressAsync(run, progress);
        public Task LogAsync(RunRef run, LogMessage log) => inner.LogAsync(run, log);
        public Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding) => inner.EmbeddingAsync(run, embedding);
        public Task StepLossesAsync(RunRef run, StepLossesMessage losses) => inner.StepLossesAsync(run, losses);

        public async Task EvaluationAsync(RunRef run, MetricMessage metric)
        {
            await inner.EvaluationAsync(run, metric);
            if (metric.Step != step) return;
            reached.TrySetResult();
            services.GetRequiredService<RunWorker>().Stopping.WaitHandle.WaitOne();
        }
    }

    [Fact]
    public async Task A_run_interrupted_mid_way_resumes_from_its_checkpoint_with_one_metric_row_per_evaluation()
    {
        var data = NewDataDirectory();
        int runId;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var first = WorkbenchFactory.Synthetic(data, Settings(), keepData: true, services => services.AddSingleton<IRunEvents>(sp =>
                         new StopAfterEvaluation(new SignalRRunEvents(sp.GetRequiredService<IHubContext<RunsHub, IRunsClient>>()), 2, sp, reached))))
        {
            runId = await QueueAsync(factory: first, Erm(8));
            await reached.Task.WaitAsync(Patience);
        }
        // The host stopped after the evaluation at step 2: the worker handed the run back to the queue, for any worker.
        using (var stopped = SadaDataServices.CreateContext(new SadaDatabaseOptions(), Path.Combine(data, "sada.db")))
            Assert.Equal(RunStatus.Queued, stopped.Runs.Single(r => r.Id == runId).Status);
        try
        {
            await using var second = WorkbenchFactory.Synthetic(data, Settings(), keepData: false);
            var before = (await StoredAsync(second, runId))!;
            Assert.Equal([0, 2], before.Metrics.Select(m => m.Step));

            await using var client = await RunHubClient.ConnectAsync(second);
            var (feed, finished) = await client.SubscribeAsync(runId);
            var status = await finished.WaitAsync(Patience);
            Assert.True(status.Status == "Completed", $"{status.Status}: {status.Error}");

            var after = (await StoredAsync(second, runId))!;
            Assert.Equal([0, 2, 4, 6, 7], after.Metrics.Select(m => m.Step));
            // The rows from before the stop are the same rows, not rewritten.
            Assert.Equal(before.Metrics.Select(m => (m.Id, m.LossesJson)), after.Metrics.Take(2).Select(m => (m.Id, m.LossesJson)));
            Assert.Contains(after.Logs, l => l.Message.StartsWith("Resumed from", StringComparison.Ordinal) && l.Message.EndsWith("at step 3.", StringComparison.Ordinal));
            Assert.Equal([0, 2, 4, 6, 7], feed.Metrics.Select(m => m.Step));
            await using var db = await second.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync();
            Assert.Equal(5, await db.RunMetrics.CountAsync(m => m.RunId == runId));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_run_orphaned_by_a_dead_worker_is_resumed_by_a_live_worker_within_StaleAfter_without_a_restart()
    {
        var settings = Settings();
        settings["Sada:Worker:StaleAfter"] = "00:00:02";
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), settings, keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        // The live worker is past its start (and its start-time recovery): it has trained a run.
        var (_, first) = await client.SubscribeAsync(await QueueAsync(factory, Erm(2)));
        Assert.Equal("Completed", (await first.WaitAsync(Patience)).Status);

        // A run another machine's worker claimed and was training when it died: its heartbeat was fresh then.
        int orphan = await QueueAsync(factory, Erm(2));
        var claimedAt = DateTime.UtcNow;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync())
            await db.Runs.Where(r => r.Id == orphan).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running)
                .SetProperty(r => r.WorkerId, "dead-box:worker").SetProperty(r => r.HeartbeatAt, claimedAt).SetProperty(r => r.StartedAt, claimedAt));
        var (_, finished) = await client.SubscribeAsync(orphan);
        var status = await finished.WaitAsync(Patience);

        Assert.True(status.Status == "Completed", $"{status.Status}: {status.Error}");
        var stored = (await StoredAsync(factory, orphan))!;
        Assert.Equal(factory.Services.GetRequiredService<RunWorker>().WorkerId, stored.Run.WorkerId);
        Assert.Equal([0, 1], stored.Metrics.Select(m => m.Step));
    }

    [Fact]
    public async Task Cancelling_an_orphaned_run_ends_it_and_every_subscriber_sees_it()
    {
        var settings = Settings();
        settings["Sada:Worker:Enabled"] = "false";
        settings["Sada:Worker:StaleAfter"] = "00:00:02";
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), settings, keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        int orphan = await QueueAsync(factory, Erm(2));
        var longAgo = DateTime.UtcNow.AddMinutes(-1);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync())
            await db.Runs.Where(r => r.Id == orphan).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running)
                .SetProperty(r => r.WorkerId, "dead-box:worker").SetProperty(r => r.HeartbeatAt, longAgo));
        var (_, finished) = await client.SubscribeAsync(orphan);

        var result = await factory.Services.GetRequiredService<RunCancellation>().CancelAsync(orphan);
        Assert.Equal(CancelOutcome.Cancelled, result.Outcome);
        Assert.Equal("Cancelled", (await finished.WaitAsync(TimeSpan.FromSeconds(30))).Status);
        Assert.Equal(RunStatus.Cancelled, (await StoredAsync(factory, orphan))!.Run.Status);
    }

    [Fact]
    public async Task A_failing_run_is_marked_failed_with_its_message_and_the_next_run_completes()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        int bad = await QueueAsync(factory, Erm(2), holdout: "no-such-center");
        int good = await QueueAsync(factory, Erm(2));
        var (_, badFinished) = await client.SubscribeAsync(bad);
        var (goodFeed, goodFinished) = await client.SubscribeAsync(good);

        var failed = await badFinished.WaitAsync(Patience);
        Assert.Equal("Failed", failed.Status);
        Assert.Contains("no-such-center", failed.Error);
        var completed = await goodFinished.WaitAsync(Patience);
        Assert.True(completed.Status == "Completed", $"{completed.Status}: {completed.Error}");
        Assert.Equal([0, 1], goodFeed.Metrics.Select(m => m.Step));

        var stored = (await StoredAsync(factory, bad))!;
        Assert.Equal(RunStatus.Failed, stored.Run.Status);
        Assert.Contains("no-such-center", stored.Run.Error);
        Assert.Contains(stored.Logs, l => l.Level == "error" && l.Message.Contains("no-such-center"));
    }

    [Fact]
    public async Task Sada_watch_prints_the_stored_history_and_the_live_run_until_it_completes()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        int runId = await QueueAsync(factory, Erm(3));
        var output = new StringWriter();
        var server = factory.Server;
        int exit = await global::Sada.Cli.Commands.WatchCommand.WatchAsync(new Uri(server.BaseAddress, "hubs/runs"), runId, TextWriter.Synchronized(output), o =>
        {
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
            o.AccessTokenProvider = () => factory.TokenAsync(global::Sada.Workbench.Accounts.WorkbenchRoles.Reviewer)!;
        }, CancellationToken.None).WaitAsync(Patience);

        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == 0, output.ToString());
        Assert.Single(lines, l => l.StartsWith("eval step 0 (stage 2): total ", StringComparison.Ordinal) && l.Contains(" ce "));
        Assert.Single(lines, l => l.StartsWith("eval step 2 ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("t-SNE 'final' at step 2: 20 cells", StringComparison.Ordinal));
        Assert.StartsWith($"run {runId}: Completed", lines[^1]);
    }

    [Fact]
    public async Task A_cancel_request_stops_the_running_run_at_its_next_heartbeat_and_marks_it_cancelled()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        // Far more steps than it will take: the run is cancelled after its first evaluation.
        int runId = await QueueAsync(factory, Erm(100_000) with { EvalEvery = 50_000 });
        var (feed, finished) = await client.SubscribeAsync(runId);
        var evaluated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.Received += m => { if (m is MetricMessage) evaluated.TrySetResult(); };
        if (feed.Metrics.Count > 0) evaluated.TrySetResult();
        await evaluated.Task.WaitAsync(Patience);

        Assert.True(await factory.Services.GetRequiredService<RunQueue>().RequestCancelAsync(runId));
        var status = await finished.WaitAsync(Patience);
        Assert.Equal("Cancelled", status.Status);
        var stored = (await StoredAsync(factory, runId))!;
        Assert.Equal(RunStatus.Cancelled, stored.Run.Status);
        Assert.Equal([0], stored.Metrics.Select(m => m.Step));
        Assert.Contains(stored.Logs, l => l.Message.StartsWith("Cancelled at step", StringComparison.Ordinal));
    }

    /// <summary>Holds the worker after it stored the evaluation at <paramref name="step"/> and before it publishes it.</summary>
    sealed class HoldBeforePublishing(IRunEvents inner, int step, TaskCompletionSource reached, Task release) : IRunEvents
    {
        public Task StatusChangedAsync(RunRef run, RunStatusMessage status) => inner.StatusChangedAsync(run, status);
        public Task ProgressAsync(RunRef run, ProgressMessage progress) => inner.ProgressAsync(run, progress);
        public Task LogAsync(RunRef run, LogMessage log) => inner.LogAsync(run, log);
        public Task EmbeddingAsync(RunRef run, EmbeddingMessage embedding) => inner.EmbeddingAsync(run, embedding);
        public Task StepLossesAsync(RunRef run, StepLossesMessage losses) => inner.StepLossesAsync(run, losses);

        public async Task EvaluationAsync(RunRef run, MetricMessage metric)
        {
            if (metric.Step == step)
            {
                reached.TrySetResult();
                release.Wait();
            }
            await inner.EvaluationAsync(run, metric);
        }
    }

    [Fact]
    public async Task A_client_joining_between_store_and_publish_gets_that_evaluation_once_and_then_the_rest_live()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false, services => services.AddSingleton<IRunEvents>(sp =>
            new HoldBeforePublishing(new SignalRRunEvents(sp.GetRequiredService<IHubContext<RunsHub, IRunsClient>>()), 2, reached, release.Task)));
        try
        {
            int runId = await QueueAsync(factory, Erm(6));
            await reached.Task.WaitAsync(Patience);
            await using var client = await RunHubClient.ConnectAsync(factory);
            var (feed, finished) = await client.SubscribeAsync(runId);
            // Step 2 is stored, so the history has it; it has not been published yet.
            Assert.Equal([0, 2], feed.Metrics.Select(m => m.Step));
            release.SetResult();
            var status = await finished.WaitAsync(Patience);
            Assert.True(status.Status == "Completed", $"{status.Status}: {status.Error}");

            // Step 2 came twice off the wire (history, then live), once out of the feed; 4 and 5 live only.
            Assert.Equal([2, 4, 5], client.Raw.OfType<MetricMessage>().Select(m => m.Step));
            Assert.Equal([0, 2, 4, 5], feed.Delivered.OfType<MetricMessage>().Select(m => m.Step));
            Assert.Equal([0, 2, 4, 5], (await StoredAsync(factory, runId))!.Metrics.Select(m => m.Step));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_study_subscriber_gets_its_runs_statuses_then_their_status_changes()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
        int studyId;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync())
        {
            var study = new Study { Name = "s", DatasetId = (await db.Datasets.SingleAsync()).Id, GridJson = "{}", CreatedAt = DateTime.UtcNow };
            db.Studies.Add(study);
            await db.SaveChangesAsync();
            studyId = study.Id;
        }
        await using var client = await RunHubClient.ConnectAsync(factory);
        var completed = new TaskCompletionSource<RunStatusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StudyStatus += s => { if (s.StudyId == studyId && s.IsFinished) completed.TrySetResult(s); };
        Assert.Empty(await client.SubscribeStudyAsync(studyId));
        int runId = await QueueAsync(factory, Erm(2), studyId: studyId);

        var finished = await completed.Task.WaitAsync(Patience);
        Assert.Equal((runId, "Completed"), (finished.RunId, finished.Status));
        Assert.Contains(client.Raw.OfType<MetricMessage>(), m => m.RunId == runId);
        var statuses = await client.SubscribeStudyAsync(studyId);
        Assert.Equal([(runId, "Completed")], statuses.Select(s => (s.RunId, s.Status)));
        await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => client.SubscribeStudyAsync(studyId + 100));
    }

    [Fact]
    public async Task A_run_whose_images_are_missing_fails_with_the_message_and_the_worker_goes_on()
    {
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
        Core.Data.MultiCenterDataset dataset;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync())
            dataset = new DatasetCatalog(db, new ImageStore(factory.DataDirectory)).ToMultiCenterDataset((await db.Datasets.SingleAsync()).Name);
        var heldOut = dataset.Centers[^1];
        var files = dataset.Samples.Where(s => s.Center == dataset.Centers.Count - 1).Select(s => s.Path).Distinct().ToList();
        foreach (var file in files) File.Move(file, file + ".away");
        await using var client = await RunHubClient.ConnectAsync(factory);

        int bad = await QueueAsync(factory, Erm(2), heldOut);
        var (_, badFinished) = await client.SubscribeAsync(bad);
        var failed = await badFinished.WaitAsync(Patience);
        Assert.Equal("Failed", failed.Status);
        Assert.Equal($"Held-out center '{heldOut}' has no readable image.", failed.Error);

        foreach (var file in files) File.Move(file + ".away", file);
        int good = await QueueAsync(factory, Erm(2), heldOut);
        var (_, goodFinished) = await client.SubscribeAsync(good);
        var completed = await goodFinished.WaitAsync(Patience);
        Assert.True(completed.Status == "Completed", $"{completed.Status}: {completed.Error}");
        var stored = (await StoredAsync(factory, bad))!;
        Assert.Contains(stored.Logs, l => l.Level == "warning" && l.Message.StartsWith("Skipped unreadable image", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_collapsed_stage_1_is_stored_logged_and_published_and_stop_on_collapse_fails_the_run_naming_the_step()
    {
        // A tolerance of a whole nat counts every step of a fresh network as at the uniform value: the window fills at step 1.
        await using var factory = WorkbenchFactory.Synthetic(NewDataDirectory(), Settings(), keepData: false);
        await using var client = await RunHubClient.ConnectAsync(factory);
        int runId = await QueueAsync(factory, Sada() with
        {
            Contrast = ContrastMode.SupCon,
            CollapseWindow = 2,
            CollapseTolerance = 1.0,
            StopOnCollapse = true,
        });
        var (feed, finished) = await client.SubscribeAsync(runId);
        var status = await finished.WaitAsync(Patience);

        Assert.Equal("Failed", status.Status);
        Assert.Contains("Stage 1 collapsed at step 0", status.Error, StringComparison.Ordinal);
        Assert.Equal(0, status.CollapseStep);
        var stored = (await StoredAsync(factory, runId))!;
        Assert.Equal(0, stored.Run.CollapseStep);
        Assert.Contains(stored.Logs, l => l.Level == "warning" && l.Message.StartsWith("Stage 1 collapsed at step 0", StringComparison.Ordinal));
        Assert.Contains(feed.Logs, l => l.Level == "warning" && l.Message.StartsWith("Stage 1 collapsed", StringComparison.Ordinal));
    }
}
