using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Plotly.Blazor;
using Plotly.Blazor.Traces;
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
        var traces = plot.Data.Cast<Scatter>().ToList();
        // In the order the names first appear: the chart knows none of them.
        Assert.Equal(["total", "la", "ce", "contrastive"], traces.Select(t => t.Name));
        Assert.Equal([10, 20], traces.Single(t => t.Name == "la").X.Cast<int>());
        Assert.Equal([30, 40], traces.Single(t => t.Name == "contrastive").X.Cast<int>());
        var marker = Assert.Single(plot.Layout.Shapes);
        Assert.Equal(30, Convert.ToDouble(marker.X0, CultureInfo.InvariantCulture));
        Assert.Equal(30, Convert.ToDouble(marker.X1, CultureInfo.InvariantCulture));
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
        var wobble = plot.Data.Cast<Scatter>().Single(t => t.Name == "wobble_penalty");
        Assert.Equal([0, 5], wobble.X.Cast<int>());
        Assert.Equal([0.7, 0.3], wobble.Y.Cast<double>());
    }

    [Fact]
    public void LossChart_leaves_out_absent_components_and_draws_no_marker_before_stage_2()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, new[] { P(10, 1, 2.0, ce: 2.0), P(20, 1, 1.5, ce: 1.5) }));

        var plot = chart.FindComponent<PlotlyChart>().Instance;
        Assert.Equal(["total", "ce"], plot.Data.Cast<Scatter>().Select(t => t.Name));
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
        Assert.Equal([10, 20], redrawn.Data.Cast<Scatter>().Single().X.Cast<int>());
        Assert.Equal(1, Reacts());
    }

    [Fact]
    public void LossChart_says_so_when_there_is_no_evaluation()
    {
        var chart = _ctx.Render<LossChart>(ps => ps.Add(c => c.Points, Array.Empty<LossChart.LossPoint>()));
        Assert.Contains("No evaluation yet", chart.Markup);
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
