using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Core.Training;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

public class RunStoreTests : IDisposable
{
    readonly TempDatabase _db;
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    readonly RunStore _store;
    readonly int _runId;

    public RunStoreTests() : this(TempDatabase.Sqlite) { }

    protected RunStoreTests(string provider)
    {
        _db = new TempDatabase(provider);
        _store = new RunStore(new Factory(_db), _clock);
        using var db = _db.Open();
        var run = new Run
        {
            Dataset = new Dataset { Name = "d", Centers = [new Center { Name = "a" }] }, HoldoutCenter = "a", Algorithm = "sada",
            ConfigJson = "{}", Status = RunStatus.Running,
        };
        db.Runs.Add(run);
        db.SaveChanges();
        _runId = run.Id;
    }

    sealed class Factory(TempDatabase db) : IDbContextFactory<SadaDbContext>
    {
        public SadaDbContext CreateDbContext() => db.Open();
    }

    static EvaluationRecord Evaluation(int step, double accuracy = 0.5) => new(
        step, step < 4 ? 1 : 2, new Dictionary<string, double> { ["total"] = 1.5, ["la"] = 0.5, ["contrastive"] = 1.0 },
        new HeldOutEvaluation(accuracy, 0.4, new Dictionary<string, double?> { ["neutrophil"] = 0.9, ["basophil"] = null }, ["neutrophil", "basophil"],
            [[9, 1], [2, 0]], 12),
        new Dictionary<string, double> { ["b"] = 0.75, ["c"] = 0.25 }, 0.5, 0.9, 120, 3.5);

    List<RunMetric> Metrics()
    {
        using var db = _db.Open();
        return db.RunMetrics.AsNoTracking().Where(m => m.RunId == _runId).OrderBy(m => m.Step).ToList();
    }

    [DbFact]
    public async Task An_evaluation_is_one_row_with_every_number_and_moves_the_run_step()
    {
        var row = await _store.AddEvaluationAsync(_runId, Evaluation(2));
        Assert.NotNull(row);
        var stored = Assert.Single(Metrics());
        Assert.Equal((2, 1), (stored.Step, stored.Stage));
        // Every loss by the algorithm's name, in its order, and only those it returned.
        Assert.Equal([("total", 1.5), ("la", 0.5), ("contrastive", 1.0)], RunStore.ReadLosses(stored).Select(kv => (kv.Key, kv.Value)));
        Assert.Equal((0.5, 0.4, 0.5, 120.0, 3.5), (stored.HeldOutAccuracy!.Value, stored.HeldOutF1Macro!.Value, stored.ValidationAccuracy!.Value, stored.ImagesPerSecond!.Value, stored.ElapsedSeconds));
        Assert.Equal(0.9, JsonDocument.Parse(stored.PerClassRecallJson).RootElement.GetProperty("neutrophil").GetDouble());
        Assert.Equal(2, JsonDocument.Parse(stored.ConfusionJson).RootElement.GetProperty("counts")[1][0].GetInt32());
        Assert.Equal(0.75, JsonDocument.Parse(stored.ValidationJson).RootElement.GetProperty("b").GetDouble());
        using var db = _db.Open();
        Assert.Equal(2, db.Runs.Single(r => r.Id == _runId).Step);
    }

    [DbFact]
    public async Task The_run_row_carries_its_selected_evaluation_best_validation_ties_to_the_earliest_step()
    {
        await _store.AddEvaluationAsync(_runId, Evaluation(0, 0.2) with { ValidationAccuracy = 0.4 });
        await _store.AddEvaluationAsync(_runId, Evaluation(3, 0.7) with { ValidationAccuracy = 0.8 });
        await _store.AddEvaluationAsync(_runId, Evaluation(6, 0.9) with { ValidationAccuracy = 0.8 });
        using (var db = _db.Open())
        {
            var run = db.Runs.AsNoTracking().Single(r => r.Id == _runId);
            Assert.Equal((3, 0.7, 0.4), (run.SelectedStep!.Value, run.SelectedAccuracy!.Value, run.SelectedF1Macro!.Value));
        }
        // A resume from step 3 drops the rows it will redo, and the selection with them.
        await _store.ReconcileAsync(_runId, new TrainingResumed(3, [Evaluation(0, 0.2) with { ValidationAccuracy = 0.4 }]));
        using (var db = _db.Open())
            Assert.Equal(0, db.Runs.AsNoTracking().Single(r => r.Id == _runId).SelectedStep);
    }

    [DbFact]
    public async Task A_step_is_never_written_twice()
    {
        Assert.NotNull(await _store.AddEvaluationAsync(_runId, Evaluation(0, 0.1)));
        Assert.Null(await _store.AddEvaluationAsync(_runId, Evaluation(0, 0.9)));
        Assert.Equal(0.1, Assert.Single(Metrics()).HeldOutAccuracy);
    }

    [DbFact]
    public async Task Reconciling_a_resume_writes_what_the_checkpoint_has_and_drops_what_it_will_redo()
    {
        // Stored before the crash: 0 and 3. The checkpoint (at step 6) holds 0, 3 and 6: the crash came between
        // checkpoint and write. A stray row at 9 (from a checkpoint that was lost) will be made again.
        await _store.AddEvaluationAsync(_runId, Evaluation(0));
        await _store.AddEvaluationAsync(_runId, Evaluation(3));
        await _store.AddEvaluationAsync(_runId, Evaluation(9));
        var written = await _store.ReconcileAsync(_runId, new TrainingResumed(7, [Evaluation(0), Evaluation(3), Evaluation(6)]));
        Assert.Equal([6], written.Select(m => m.Step));
        Assert.Equal([0, 3, 6], Metrics().Select(m => m.Step));
        // The resumed run goes on: 9 once.
        Assert.NotNull(await _store.AddEvaluationAsync(_runId, Evaluation(9)));
        Assert.Equal([0, 3, 6, 9], Metrics().Select(m => m.Step));
    }

    [DbFact]
    public async Task History_has_metrics_by_step_logs_and_embeddings_with_named_points()
    {
        await _store.AddEvaluationAsync(_runId, Evaluation(5));
        await _store.AddEvaluationAsync(_runId, Evaluation(1));
        await _store.AddLogAsync(_runId, "info", "first");
        await _store.AddLogAsync(_runId, "warning", "second");
        var embedding = new EmbeddingRecord(5, EmbeddingRecord.Final, [1f, 2f, 3f, 4f], [0, 1], [1, 0], ["a", "b"], ["neutrophil", "basophil"], 0.6, 0.5, 0.9, 0.7, 1.2);
        Assert.NotNull(await _store.AddEmbeddingAsync(_runId, embedding));
        Assert.Null(await _store.AddEmbeddingAsync(_runId, embedding));

        var history = await _store.GetHistoryAsync(_runId);
        Assert.NotNull(history);
        Assert.Equal([1, 5], history.Metrics.Select(m => m.Step));
        Assert.Equal(["first", "second"], history.Logs.Select(l => l.Message));
        var stored = Assert.Single(history.Embeddings);
        Assert.Equal(("final", 5, 0.6, 0.7), (stored.Label, stored.Step, stored.MixingScore, stored.KlDivergence));
        Assert.Equal([new EmbeddingPoint(1, 2, "a", "basophil"), new EmbeddingPoint(3, 4, "b", "neutrophil")], RunStore.ReadPoints(stored));
        Assert.Null(await _store.GetHistoryAsync(_runId + 100));
    }

    static TrainingStepLosses StepLosses(int step, double total = 1.0 / 3) =>
        new(step, step < 20 ? 1 : 2, new Dictionary<string, double> { ["total"] = total, ["la"] = 0.125, ["wobble_penalty"] = 2.5 });

    [DbFact]
    public async Task Step_level_losses_are_one_compact_row_per_step_at_float_precision_never_written_twice()
    {
        var row = await _store.AddStepLossesAsync(_runId, StepLosses(10));
        Assert.NotNull(row);
        Assert.Equal((_runId, 10, 1), (row.RunId, row.Step, row.Stage));
        // Float precision: 1/3 is stored with float's digits, not double's.
        Assert.Equal("""{"total":0.33333334,"la":0.125,"wobble_penalty":2.5}""", row.LossesJson);
        Assert.Null(await _store.AddStepLossesAsync(_runId, StepLosses(10, total: 9)));
        await _store.AddStepLossesAsync(_runId, StepLosses(30));
        await _store.AddStepLossesAsync(_runId, StepLosses(20));

        var stored = (await _store.GetStepLossesAsync(_runId))!;
        Assert.Equal([10, 20, 30], stored.Select(r => r.Step));
        Assert.Equal([1, 2, 2], stored.Select(r => r.Stage));
        // By the algorithm's names, in its order; the first write of step 10 kept.
        Assert.Equal([("total", (double)(1f / 3)), ("la", 0.125), ("wobble_penalty", 2.5)], RunStore.ReadLosses(stored[0]).Select(kv => (kv.Key, kv.Value)));
        Assert.Equal([10, 20, 30], (await _store.GetHistoryAsync(_runId))!.StepLosses.Select(r => r.Step));
        Assert.Null(await _store.GetStepLossesAsync(_runId + 1000));
    }

    [DbFact]
    public async Task A_resume_drops_the_step_level_losses_at_and_after_its_step()
    {
        foreach (var step in new[] { 0, 10, 20, 30 }) await _store.AddStepLossesAsync(_runId, StepLosses(step));
        await _store.ReconcileAsync(_runId, new TrainingResumed(20, []));
        Assert.Equal([0, 10], (await _store.GetStepLossesAsync(_runId))!.Select(r => r.Step));
        // The replayed steps are written again.
        Assert.NotNull(await _store.AddStepLossesAsync(_runId, StepLosses(20, total: 0.5)));
        Assert.Equal(0.5, RunStore.ReadLosses((await _store.GetStepLossesAsync(_runId))![2])["total"]);
    }

    [DbFact]
    public async Task A_collapse_stores_its_first_step_on_the_run_and_the_status_message_carries_it()
    {
        Run Row()
        {
            using var db = _db.Open();
            return db.Runs.AsNoTracking().Single(r => r.Id == _runId);
        }
        Assert.Null(Row().CollapseStep);
        Assert.Null(Sada.Data.Runs.Events.RunStatusMessage.From(Row()).CollapseStep);

        Assert.True(await _store.MarkCollapsedAsync(_runId, 41));
        // A resumed run that collapses again keeps the first step.
        Assert.False(await _store.MarkCollapsedAsync(_runId, 90));
        Assert.Equal(41, Row().CollapseStep);
        Assert.Equal(41, Sada.Data.Runs.Events.RunStatusMessage.From(Row()).CollapseStep);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.MarkCollapsedAsync(_runId, -1));
    }

    public void Dispose() => _db.Dispose();
}

public sealed class RunStoreTestsOnPostgres() : RunStoreTests(TempDatabase.Postgres), IOnPostgres;
