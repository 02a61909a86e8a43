using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Components.Shared;

namespace Sada.Workbench.Tests.Components;

public class ChartComponentTests : IAsyncLifetime
{
    // Composed, not inherited: MudBlazor's services dispose only asynchronously, and xunit 2 disposes a test class synchronously.
    readonly BunitContext _ctx = PageContext.Create();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    public ChartComponentTests()
    {
    }

    static LossChart.LossPoint P(int step, int stage, double? total, double? la = null, double? contrastive = null, double? ce = null) =>
        new(step, stage, new (string Name, double? Value)[] { ("total", total), ("la", la), ("contrastive", contrastive), ("ce", ce) }
            .Where(l => l.Value is not null).ToDictionary(l => l.Name, l => l.Value!.Value));

    [Fact]
    public void LossChart_draws_one_trace_per_loss_component_present_and_the_stage_switch_at_the_first_stage_2_step()
    {
        var points = new[] { P(10, 1, 2.0, la: 0.5, ce: 1.5), P(20, 1, 1.8, la: 0.4, ce: 1.4), P(30, 2, 1.2, contrastive: 0.3, ce: 0.9), P(40, 2, 1.0, contrastive: 0.2, ce: 0.8) };

        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, points));

        var plot = chart.FindComponent<PlotlyChart>().Instance;
        var traces = Raw(plot);
        // In the order the names first appear: the chart knows none of them.
        Assert.Equal(["total", "la", "ce", "contrastive"], traces.Select(t => t.Name));
        Assert.Equal(["total", "la", "ce", "contrastive"], Smoothed(plot).Select(t => t.Name));
        Assert.Equal([10, 20], traces.Single(t => t.Name == "la").X.Cast<int>());
        Assert.Equal([30, 40], traces.Single(t => t.Name == "contrastive").X.Cast<int>());
        var marker = Assert.Single(plot.Layout.Shapes);
        Assert.Equal(30, Convert.ToDouble(marker.X0, CultureInfo.InvariantCulture));
        Assert.Equal(30, Convert.ToDouble(marker.X1, CultureInfo.InvariantCulture));
    }

    static bool Faint(Scatter t) => t.Opacity < 1m;

    // MudBlazor puts a control's attributes on its input or on its root, by control.
    const string SmoothingInput = "input[data-testid=loss-smoothing], [data-testid=loss-smoothing] input";
    const string LogInput = "input[data-testid=loss-log], [data-testid=loss-log] input";

    /// <summary>The logged values: the faint traces while smoothing is on, else every trace.</summary>
    static List<Scatter> Raw(PlotlyChart plot)
    {
        var traces = plot.Data.Cast<Scatter>().ToList();
        return traces.Any(Faint) ? traces.Where(Faint).ToList() : traces;
    }

    /// <summary>The smoothed lines (none while smoothing is 0).</summary>
    static List<Scatter> Smoothed(PlotlyChart plot)
    {
        var traces = plot.Data.Cast<Scatter>().ToList();
        return traces.Any(Faint) ? traces.Where(t => !Faint(t)).ToList() : [];
    }

    [Fact]
    public void LossChart_smooths_by_default_with_the_raw_series_faint_behind_and_the_slider_changes_it()
    {
        var points = Enumerable.Range(0, 12).Select(i => P(10 * i, 2, 2.0 / (i + 1) + (i % 2 == 0 ? 0.3 : 0))).ToList();
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, points));
        var plot = chart.FindComponent<PlotlyChart>().Instance;
        Assert.Equal(LossChart.DefaultSmoothing, chart.Instance.SmoothingWeight);
        var raw = Raw(plot).Single();
        var smoothed = Smoothed(plot).Single();
        Assert.Equal(0.25m, raw.Opacity);
        Assert.False(raw.ShowLegend);
        Assert.Equal(raw.Line.Color, smoothed.Line.Color);
        var values = raw.Y.Cast<double>().ToList();
        Assert.Equal(Smoothing.Ema(values, 0.6), smoothed.Y.Cast<double>());

        chart.Find(SmoothingInput).Input("0.9");
        chart.WaitForAssertion(() => Assert.Equal(Smoothing.Ema(values, 0.9), Smoothed(chart.FindComponent<PlotlyChart>().Instance).Single().Y.Cast<double>()));
        Assert.Contains("0.90", chart.Find("[data-testid=loss-smoothing-value]").TextContent, StringComparison.Ordinal);

        // 0: the logged values alone, drawn in full.
        chart.Find(SmoothingInput).Input("0");
        chart.WaitForAssertion(() => Assert.Single(chart.FindComponent<PlotlyChart>().Instance.Data));
        Assert.Equal(1m, chart.FindComponent<PlotlyChart>().Instance.Data.Cast<Scatter>().Single().Opacity);
    }

    [Fact]
    public void LossChart_log_scale_toggle_makes_the_y_axis_logarithmic_and_back()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, new[] { P(0, 2, 2.0), P(10, 2, 0.02) }));
        Plotly.Blazor.Layout Layout() => chart.FindComponent<PlotlyChart>().Instance.Layout;
        Assert.NotEqual(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, Layout().YAxis[0].Type);

        chart.Find(LogInput).Change(true);
        chart.WaitForAssertion(() => Assert.Equal(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, Layout().YAxis[0].Type));
        Assert.True(chart.Instance.LogScale);

        chart.Find(LogInput).Change(false);
        chart.WaitForAssertion(() => Assert.NotEqual(Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log, Layout().YAxis[0].Type));
    }

    [Fact]
    public void LossChart_draws_the_stage_switch_at_the_runs_real_switch_step_labelled_stage_2()
    {
        // Logged every 10 steps: the first stage-2 point is 30, but the run switched at step 25.
        var points = new[] { P(0, 1, 2.0, la: 0.5), P(10, 1, 1.8, la: 0.4), P(20, 1, 1.6, la: 0.3), P(24, 1, 1.5, la: 0.3), P(30, 2, 1.2, ce: 1.2) };
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, points).Add(c => c.StageSwitchStep, 25));
        var layout = chart.FindComponent<PlotlyChart>().Instance.Layout;
        var line = Assert.Single(layout.Shapes);
        Assert.Equal(25, Convert.ToDouble(line.X0, CultureInfo.InvariantCulture));
        var label = Assert.Single(layout.Annotations);
        Assert.Equal("stage 2", label.Text);
        Assert.Equal(25, Convert.ToDouble(label.X, CultureInfo.InvariantCulture));

        // Still in stage 1: no switch yet, whatever the config says.
        var early = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, points.Take(3).ToList()).Add(c => c.StageSwitchStep, 25));
        var earlyLayout = early.FindComponent<PlotlyChart>().Instance.Layout;
        Assert.True(earlyLayout.Shapes is null || earlyLayout.Shapes.Count == 0);
        Assert.True(earlyLayout.Annotations is null || earlyLayout.Annotations.Count == 0);
    }

    [Fact]
    public void LossChart_takes_the_step_level_losses_and_the_evaluations_only_for_a_run_stored_without_them()
    {
        var steps = new[] { new StepLossesMessage(1, 0, 2, new Dictionary<string, double> { ["total"] = 1.0 }), new StepLossesMessage(1, 5, 2, new Dictionary<string, double> { ["total"] = 0.5 }) };
        var evaluations = new[] { Metric(0, 0.5, 0.5, 0.5), Metric(10, 0.6, 0.6, 0.6) };
        Assert.Equal([0, 5], LossChart.Of(steps, evaluations).Select(p => p.Step));
        Assert.Equal([0, 10], LossChart.Of([], evaluations).Select(p => p.Step));
    }

    [Fact]
    public void TsneScatter_colours_by_class_then_by_center_and_explains_the_mixing_score()
    {
        var points = new EmbeddingPoint[]
        {
            new(0, 0, "a", "neutrophil"), new(1, 0, "a", "neutrophil"), new(0, 1, "a", "monocyte"), new(5, 5, "b", "monocyte"),
        };
        var embedding = new EmbeddingMessage(1, 7, 40, "final", points, 0.62, 0.3);
        var chart = _ctx.Render<TsneScatter>(ps => ps.Add(c => c.Embedding, embedding));
        List<Scatter> Traces() => chart.FindComponent<PlotlyChart>().Instance.Data.Cast<Scatter>().ToList();

        Assert.False(chart.Instance.ColoursByCenter);
        // By class: one colour per class, whatever the center.
        Assert.Equal(["monocyte", "monocyte", "neutrophil"], Traces().Select(t => t.LegendGroup));
        Assert.Single(Traces().Where(t => t.LegendGroup == "monocyte").Select(t => t.Marker.Color).Distinct());

        chart.Find("[data-testid=tsne-by-center]").Click();
        chart.WaitForAssertion(() => Assert.Equal(["a", "a", "b"], Traces().Select(t => t.LegendGroup)));
        Assert.True(chart.Instance.ColoursByCenter);
        Assert.Single(Traces().Where(t => t.LegendGroup == "a").Select(t => t.Marker.Color).Distinct());
        Assert.NotEqual(Traces()[0].Marker.Color, Traces()[2].Marker.Color);

        chart.Find("[data-testid=tsne-by-class]").Click();
        chart.WaitForAssertion(() => Assert.Equal(["monocyte", "monocyte", "neutrophil"], Traces().Select(t => t.LegendGroup)));

        var help = chart.Find("[data-testid=tsne-mixing-help]").TextContent;
        Assert.Contains("10 nearest neighbours", help, StringComparison.Ordinal);
        Assert.Contains("Lower is better", help, StringComparison.Ordinal);
        // Three of the four points are center a's: 0.75 is as mixed as it gets.
        Assert.Contains("0.75", help, StringComparison.Ordinal);
        Assert.Contains("0.62", chart.Find("[data-testid=tsne-mixing]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void LossChart_draws_a_loss_name_no_code_knows_as_its_own_series()
    {
        var points = new LossChart.LossPoint[]
        {
            new(0, 2, new Dictionary<string, double> { ["total"] = 2.0, ["wobble_penalty"] = 0.7 }),
            new(5, 2, new Dictionary<string, double> { ["total"] = 1.0, ["wobble_penalty"] = 0.3 }),
        };
        var plot = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, points)).FindComponent<PlotlyChart>().Instance;
        var wobble = Raw(plot).Single(t => t.Name == "wobble_penalty");
        Assert.Equal([0, 5], wobble.X.Cast<int>());
        Assert.Equal([0.7, 0.3], wobble.Y.Cast<double>());
    }

    [Fact]
    public void LossChart_leaves_out_absent_components_and_draws_no_marker_before_stage_2()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, new[] { P(10, 1, 2.0, ce: 2.0), P(20, 1, 1.5, ce: 1.5) }));

        var plot = chart.FindComponent<PlotlyChart>().Instance;
        Assert.Equal(["total", "ce"], Raw(plot).Select(t => t.Name));
        Assert.True(plot.Layout.Shapes is null || plot.Layout.Shapes.Count == 0);
    }

    [Fact]
    public void LossChart_keeps_its_plot_when_a_re_render_brings_the_same_points_and_redraws_it_in_place_for_a_new_one()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, new[] { P(10, 1, 2.0) }));
        var first = chart.FindComponent<PlotlyChart>().Instance;
        int Reacts() => _ctx.JSInterop.Invocations.Count(i => i.Identifier == "react");

        chart.Render(ps => ps.Add(c => c.Points, new[] { P(10, 1, 2.0) }));
        Assert.Same(first, chart.FindComponent<PlotlyChart>().Instance);
        Assert.Equal(0, Reacts());

        chart.Render(ps => ps.Add(c => c.Points, new[] { P(10, 1, 2.0), P(20, 1, 1.0) }));
        var redrawn = chart.FindComponent<PlotlyChart>().Instance;
        // The same plot (a replaced one breaks while plotly.js loads: PlotlyView), given the new points and redrawn.
        Assert.Same(first, redrawn);
        Assert.Equal([10, 20], Raw(redrawn).Single().X.Cast<int>());
        Assert.Equal(1, Reacts());
    }

    [Fact]
    public void LossChart_says_so_when_no_loss_is_logged_yet()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, Array.Empty<LossChart.LossPoint>()));
        Assert.Contains("No losses logged yet", chart.Markup);
        Assert.Empty(chart.FindComponents<PlotlyChart>());
    }

    [Fact]
    public void ConfusionHeatmap_labels_both_axes_with_the_class_names_rows_true()
    {
        string[] classes = ["neutrophil", "lymphocyte", "monocyte"];
        int[][] counts = [[5, 1, 0], [0, 4, 2], [1, 0, 3]];

        var chart = _ctx.Render<ConfusionHeatmap>(ps => ps.Add(c => c.Classes, classes).Add(c => c.Counts, counts).Add(c => c.Step, 40));

        var plot = chart.FindComponent<PlotlyChart>().Instance;
        var map = Assert.IsType<HeatMap>(Assert.Single(plot.Data));
        Assert.Equal(classes, map.X.Cast<string>());
        Assert.Equal(classes, map.Y.Cast<string>());
        Assert.Equal([0, 4, 2], ((IEnumerable<object>)map.Z[1]).Cast<int>());
        Assert.Equal("predicted", plot.Layout.XAxis[0].Title.Text);
        Assert.Equal("true", plot.Layout.YAxis[0].Title.Text);
        Assert.Contains("step 40", chart.Markup);
    }

    [Fact]
    public void MetricCurves_of_a_run_are_held_out_accuracy_f1_macro_and_validation_accuracy_against_step()
    {
        var metrics = new[] { Metric(10, 0.5, 0.4, 0.6), Metric(20, 0.7, 0.6, null) };

        var curves = MetricCurves.OfRun(metrics);

        Assert.Equal(["held-out accuracy", "held-out F1-macro", "validation accuracy"], curves.Select(c => c.Name));
        Assert.Equal([(10, 0.5), (20, 0.7)], curves[0].Points);
        Assert.Equal([(10, 0.6)], curves[2].Points);
    }

    internal static MetricMessage Metric(int step, double? acc, double? f1, double? val, int runId = 1) => new(
        runId, step, 1, new Dictionary<string, double> { ["total"] = 1.0, ["ce"] = 1.0 }, acc, f1, new Dictionary<string, double?>(),
        new ConfusionMessage([], []), val, new Dictionary<string, double>(), null, step);
}
