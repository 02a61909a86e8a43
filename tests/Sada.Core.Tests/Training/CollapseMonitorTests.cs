using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using Sada.Core.Tests.Algorithms;
using Sada.Core.Training;
using static Sada.Core.Tests.Algorithms.AlgorithmTests;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

/// <summary>
/// Stage 1's collapse monitor: the SADA update's two measures (the contrastive loss's gap to its uniform value, the
/// projections' mean cosine similarity), the window count, and the trainer's event, result and StopOnCollapse.
/// </summary>
public class CollapseMonitorTests : IClassFixture<SadaTrainingTests.TwoCenters>
{
    readonly SadaTrainingTests.TwoCenters _data;

    public CollapseMonitorTests(SadaTrainingTests.TwoCenters data)
    {
        _data = data;
        TorchRuntime.Initialize("cpu", 1);
    }

    static readonly CollapseReading At = new("SupCon", 3.1355, Math.Log(23), 0.01);
    static readonly CollapseReading Away = new("SupCon", 2.9, Math.Log(23), 0.01);

    static CollapseReading Off(double nats) => new("SupCon", Math.Log(23) - nats, Math.Log(23), 0.01);

    [Fact]
    public void The_window_fills_with_consecutive_steps_at_the_uniform_value_and_raises_once_naming_the_first()
    {
        var monitor = new CollapseMonitor(3);
        Assert.Null(monitor.Observe(0, At));
        Assert.Null(monitor.Observe(1, At));
        Assert.Null(monitor.Observe(2, Away));   // the streak breaks
        Assert.Null(monitor.Observe(3, null));   // a step without a contrastive term breaks it too
        Assert.Null(monitor.Observe(4, At));
        Assert.Null(monitor.Observe(5, At));
        var collapsed = monitor.Observe(6, At);
        Assert.NotNull(collapsed);
        Assert.Equal((4, 6), (collapsed.Step, collapsed.DetectedAt));
        Assert.Contains("step 4", collapsed.Message, StringComparison.Ordinal);
        Assert.Contains("3.1355", collapsed.Message, StringComparison.Ordinal);
        Assert.Null(monitor.Observe(7, At));     // once per run
        Assert.Same(collapsed, monitor.Collapsed);
    }

    // Seen on real cells (ImageNet, SupCon, lr 2e-4, seed 4): 41 steps at the uniform value, a few steps 0.01 to 0.1 nats off
    // with the projections' cosine still above 0.98, then back. A streak reset by each of those steps never filled the window.
    [Fact]
    public void A_few_steps_just_off_the_uniform_value_do_not_hide_a_collapse_but_a_stage_1_a_tenth_of_a_nat_away_is_healthy()
    {
        var monitor = new CollapseMonitor(10);
        for (int step = 0; step < 6; step++) Assert.Null(monitor.Observe(step, At));
        Assert.Null(monitor.Observe(6, Off(0.018)));
        Assert.Null(monitor.Observe(7, Off(0.031)));
        Assert.Null(monitor.Observe(8, At));
        var collapsed = monitor.Observe(9, At);   // the window's mean distance: 0.005 nats
        Assert.NotNull(collapsed);
        Assert.Equal((0, 9), (collapsed.Step, collapsed.DetectedAt));

        var healthy = new CollapseMonitor(10);
        for (int step = 0; step < 100; step++)
            Assert.Null(healthy.Observe(step, step % 2 == 0 ? At : Off(0.1)));   // at it every other step, 0.05 on average
        Assert.Null(healthy.Observe(100, null));
        Assert.Null(healthy.Collapsed);
    }

    [Fact]
    public void A_stage_1_that_ends_with_half_a_window_at_the_uniform_value_ended_collapsed()
    {
        var monitor = new CollapseMonitor(4);
        Assert.Null(monitor.Observe(0, Away));
        Assert.Null(monitor.Observe(1, At));
        Assert.Null(monitor.Observe(2, At));     // stage 1's last step: 2 of the window's 4 at the uniform value
        var collapsed = monitor.Observe(3, null);   // the first stage-2 step
        Assert.NotNull(collapsed);
        Assert.Equal((1, 2), (collapsed.Step, collapsed.DetectedAt));
        Assert.Contains("for the last 2 steps of stage 1", collapsed.Message, StringComparison.Ordinal);

        var healthy = new CollapseMonitor(4);
        Assert.Null(healthy.Observe(0, Away));
        Assert.Null(healthy.Observe(1, At));     // 1 < half the window
        Assert.Null(healthy.Observe(2, null));
        Assert.Null(healthy.Collapsed);
    }

    [Fact]
    public void A_window_of_zero_switches_the_monitor_off()
    {
        var monitor = new CollapseMonitor(0);
        for (int step = 0; step < 100; step++) Assert.Null(monitor.Observe(step, At));
        Assert.Null(monitor.Collapsed);
    }

    [Theory]
    [InlineData(ContrastMode.SupCon, 23)]   // 24 views: every anchor over the 23 others
    [InlineData(ContrastMode.Proxy, 24)]    // DISC: every proxy over all 24 views
    public void The_uniform_value_is_log_of_the_softmax_width(ContrastMode mode, int width) =>
        Assert.Equal(Math.Log(width), SadaAlgorithm.UniformContrastiveLoss(mode, 24), 12);

    [Theory]
    [InlineData(ContrastMode.SupCon)]
    [InlineData(ContrastMode.Proxy)]
    public void A_projector_with_zeroed_weights_sits_at_the_uniform_value_and_its_projections_are_alike(ContrastMode mode)
    {
        using var scope = NewDisposeScope();
        using var sada = (SadaAlgorithm)Create(Tiny("sada") with { Contrast = mode });
        CollapseProjector(sada);
        var losses = sada.Update(TinyBatch.Create(), 0);

        // 8 cells x 3 views = 24 rows, every projection the projector's bias.
        Assert.Equal(SadaAlgorithm.UniformContrastiveLoss(mode, 24), losses["contrastive"], 4);
        Assert.Equal(0, losses[SadaAlgorithm.UniformGapName], 4);
        Assert.Equal(1, losses[SadaAlgorithm.ProjectionCosineName], 4);
        var reading = sada.LastCollapseReading;
        Assert.NotNull(reading);
        Assert.True(reading.AtUniform);
    }

    [Fact]
    public void A_learning_projector_is_away_from_the_uniform_value_and_stage_2_has_no_reading()
    {
        using var scope = NewDisposeScope();
        using var sada = (SadaAlgorithm)Create(Tiny("sada") with { Contrast = ContrastMode.SupCon });
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.True(losses[SadaAlgorithm.ProjectionCosineName] < 0.999, $"cosine {losses[SadaAlgorithm.ProjectionCosineName]}");
        Assert.Equal(losses["contrastive"] - Math.Log(23), losses[SadaAlgorithm.UniformGapName], 6);
        // The measures are not terms: the total is still exactly the two losses.
        Assert.Equal(losses["la"] + losses["contrastive"], losses["total"], 4);
        Assert.NotNull(sada.LastCollapseReading);

        sada.Update(TinyBatch.Create(1), 2);   // stage 2
        Assert.Null(sada.LastCollapseReading);
    }

    [Fact]
    public void A_forced_collapse_is_reported_once_and_kept_in_the_result()
    {
        var config = Config with { CollapseWindow = 5 };
        var events = new List<TrainingEvent>();
        var result = new Trainer(_data.Dataset, _data.Dataset.Centers[1], config, n => Collapsed(config, n), CPU,
            new TrainerOptions(), new Recorder(events)).Run();

        var collapsed = Assert.Single(events.OfType<StageOneCollapsed>());
        Assert.Equal((0, 4), (collapsed.Step, collapsed.DetectedAt));
        Assert.Equal(collapsed, result.Collapse);
        var report = TrainingReport.From(config, [result]);
        var line = Assert.Single(report.StageOneCollapses);
        Assert.StartsWith($"{result.HeldOut}: Stage 1 collapsed at step 0", line, StringComparison.Ordinal);
        Assert.Contains("stageOneCollapses", report.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_on_collapse_fails_the_run_naming_the_step()
    {
        var config = Config with { CollapseWindow = 5, StopOnCollapse = true };
        var events = new List<TrainingEvent>();
        var e = Assert.Throws<StageOneCollapsedException>(() => new Trainer(_data.Dataset, _data.Dataset.Centers[1], config,
            n => Collapsed(config, n), CPU, new TrainerOptions(), new Recorder(events)).Run());
        Assert.Contains("Stage 1 collapsed at step 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, e.Collapse.DetectedAt);
        Assert.Single(events.OfType<StageOneCollapsed>());
        Assert.DoesNotContain(events.OfType<TrainingProgress>(), p => p.Step > 4);
    }

    [Fact]
    public void A_healthy_run_on_the_synthetic_set_is_not_flagged()
    {
        var config = Config with { CollapseWindow = 8 };
        var events = new List<TrainingEvent>();
        var result = new Trainer(_data.Dataset, _data.Dataset.Centers[1], config, n => AlgorithmRegistry.Create(config, n, CPU), CPU,
            new TrainerOptions { ProgressInterval = TimeSpan.Zero }, new Recorder(events)).Run();
        Assert.Null(result.Collapse);
        Assert.Empty(events.OfType<StageOneCollapsed>());
        Assert.Empty(TrainingReport.From(config, [result]).StageOneCollapses);
        // The two measures are among the stage-1 steps' named values, so the step-level loss rows chart them.
        Assert.All(events.OfType<TrainingProgress>().Where(p => p.Stage == 1), p =>
        {
            Assert.Contains(SadaAlgorithm.UniformGapName, p.Losses.Keys);
            Assert.Contains(SadaAlgorithm.ProjectionCosineName, p.Losses.Keys);
        });
    }

    static readonly AlgorithmConfig Config = new()
    {
        Algorithm = "sada", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 8, K = 3,
        Steps = 20, Stage1Steps = 18, EvalEvery = 19, LearningRate = 1e-4, LaHiddenDim = 64, Seed = 5, Contrast = ContrastMode.SupCon,
    };

    /// <summary>SADA whose projector's last layer has zero, frozen weights: every projection is its bias, whatever the input.</summary>
    static SadaAlgorithm Collapsed(AlgorithmConfig config, int classes)
    {
        var sada = (SadaAlgorithm)AlgorithmRegistry.Create(config, classes, CPU);
        CollapseProjector(sada);
        return sada;
    }

    static void CollapseProjector(SadaAlgorithm sada)
    {
        var weight = sada.Net.Projector!.named_parameters().Single(p => p.name == "fc2.weight").parameter;
        using (no_grad()) weight.zero_();
        weight.requires_grad = false;
    }

    sealed class Recorder(List<TrainingEvent> events) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => events.Add(value);
    }
}
