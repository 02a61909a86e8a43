using Sada.Core.Training;

namespace Sada.Cli.Tests.Commands;

public sealed class TrainCommandTests : CliSandbox
{
    [Fact]
    public void Synth_then_train_every_center_in_turn_and_write_the_results()
    {
        var tree = Path.Combine(Root, "cells");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "3", "--per-center", "12", "--size", "32").Code);
        var results = Path.Combine(Root, "results.json");

        var train = Sada("train", "--data", tree, "--holdout", "all", "--backbone", "resnet18", "--from-scratch", "--size", "32", "--batch", "4",
            "--steps", "3", "--stage1-steps", "1", "--eval-every", "2", "--out", results);

        Assert.True(train.Code == 0, train.Error + train.Output);
        Assert.Contains("36 images, 3 centers", train.Output);
        foreach (var center in new[] { "center-a", "center-b", "center-c" }) Assert.Contains($"== held out: {center}", train.Output);
        Assert.Contains("average", train.Output);
        var report = TrainingReport.Load(results);
        Assert.Equal(3, report.Runs.Count);
        Assert.Equal("sada", report.Config.Algorithm);
        Assert.All(report.Runs, r => Assert.Equal([0, 2], r.Evaluations.Select(e => e.Step)));
        Assert.Equal(report.Runs.Average(r => r.Selected.F1Macro), report.MeanF1Macro, 12);
        Assert.Equal("from scratch", report.Initialisation);
        Assert.Equal("trained (auto)", report.BatchNorm);
        Assert.Contains("\"initialisation\": \"from scratch\"", File.ReadAllText(results));

        // The paper-style table of the results file, rows named by algorithm and initialisation, and its chart.
        var chart = Path.Combine(Root, "accuracy.png");
        var table = Sada("table", results, "--chart", chart);
        Assert.True(table.Code == 0, table.Error + table.Output);
        var header = table.Output.Split('\n')[0];
        Assert.Equal("| Method | center-a | center-b | center-c | Average |", header);
        var row = table.Output.Split('\n').Single(l => l.StartsWith("| sada init=scratch |", StringComparison.Ordinal));
        var a = report.Runs.Single(r => r.HeldOut == "center-a").Selected;
        Assert.StartsWith($"| sada init=scratch | **{a.F1Micro * 100:F1}** / **{a.F1Macro * 100:F1}** |", row);
        using var png = SkiaSharp.SKBitmap.Decode(chart);
        Assert.Equal((900, 520), (png.Width, png.Height));
        Assert.Equal(2, Sada("table", Path.Combine(Root, "missing.json")).Code);
    }

    [Fact]
    public void By_default_a_run_starts_from_the_built_in_ImageNet_weights_with_BatchNorm_frozen()
    {
        var tree = Path.Combine(Root, "cells");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "2", "--per-center", "8", "--size", "32").Code);
        var results = Path.Combine(Root, "results.json");

        var train = Sada("train", "--data", tree, "--holdout", "center-b", "--algorithm", "erm", "--size", "32", "--batch", "4",
            "--steps", "2", "--stage1-steps", "0", "--eval-every", "1", "--out", results);

        Assert.True(train.Code == 0, train.Error + train.Output);
        Assert.Contains("resnet18-imagenet, initialisation ImageNet, BatchNorm frozen (auto)", train.Output);
        var report = TrainingReport.Load(results);
        Assert.Equal("resnet18-imagenet", report.Config.Backbone);
        Assert.Equal("ImageNet", report.Initialisation);
        Assert.Equal("frozen (auto)", report.BatchNorm);
    }

    [Fact]
    public void Channels_last_and_bfloat16_are_switches_of_train_stored_in_the_results_config()
    {
        var tree = Path.Combine(Root, "cells");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "2", "--per-center", "8", "--size", "32").Code);
        var results = Path.Combine(Root, "results.json");

        var train = Sada("train", "--data", tree, "--holdout", "center-b", "--algorithm", "erm", "--backbone", "resnet18", "--from-scratch",
            "--size", "32", "--batch", "4", "--steps", "2", "--stage1-steps", "0", "--eval-every", "1", "--channels-last", "--bf16", "--out", results);

        Assert.True(train.Code == 0, train.Error + train.Output);
        Assert.Contains("BatchNorm trained (auto), channels-last, bfloat16 autocast", train.Output);
        var report = TrainingReport.Load(results);
        Assert.True(report.Config.ChannelsLast);
        Assert.True(report.Config.BFloat16);
        Assert.All(report.Runs.Single().Evaluations, e => Assert.True(double.IsFinite(e.Losses["total"])));
    }

    [Fact]
    public void A_size_the_ImageNet_network_cannot_take_is_refused_before_anything_runs()
    {
        var tree = Path.Combine(Root, "cells");
        Directory.CreateDirectory(tree);
        var bad = Sada("train", "--data", tree, "--holdout", "x", "--size", "100");
        Assert.Equal(2, bad.Code);
        Assert.Contains("ImageSize: must be a multiple of 32 for resnet18-imagenet", bad.Error);

        var noWeights = Sada("train", "--data", tree, "--holdout", "x", "--backbone", "resnet50");
        Assert.Equal(2, noWeights.Code);
        Assert.Contains("Init: resnet50 has no built-in ImageNet weights", noWeights.Error);
    }

    [Theory]
    [InlineData("selfreg", "logit_reg")]
    [InlineData("boda", "boda")]
    public void Train_selfreg_and_boda_write_their_named_losses_to_the_results(string algorithm, string loss)
    {
        var tree = Path.Combine(Root, "cells");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "3", "--per-center", "12", "--size", "32").Code);
        var results = Path.Combine(Root, "results.json");

        var train = Sada("train", "--data", tree, "--holdout", "center-a", "--algorithm", algorithm, "--backbone", "resnet18", "--from-scratch", "--size", "32",
            "--batch", "4", "--steps", "4", "--stage1-steps", "0", "--eval-every", "3", "--out", results);

        Assert.True(train.Code == 0, train.Error + train.Output);
        var report = TrainingReport.Load(results);
        Assert.Equal(algorithm, report.Config.Algorithm);
        // BoDA's distance term starts at 3/8 of the steps (step 2 of 4): the last evaluation has it.
        Assert.Contains(loss, report.Runs.Single().Evaluations[^1].Losses.Keys);
    }

    [Fact]
    public void Bad_values_are_named_and_nothing_runs()
    {
        var tree = Path.Combine(Root, "cells");
        Directory.CreateDirectory(tree);
        var bad = Sada("train", "--data", tree, "--holdout", "x", "--k", "0", "--stage1-steps", "9000");
        Assert.Equal(2, bad.Code);
        Assert.Contains("K: must be between 1 and 16", bad.Error);
        Assert.Contains("Stage1Steps", bad.Error);

        var unknown = Sada("train", "--data", tree, "--holdout", "x", "--contrast", "cosine");
        Assert.NotEqual(0, unknown.Code);
        Assert.Contains("cosine", unknown.Error);
    }

    [Fact]
    public void An_unknown_held_out_center_lists_the_centers()
    {
        var tree = Path.Combine(Root, "cells");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "2", "--per-center", "6", "--size", "32").Code);
        var run = Sada("train", "--data", tree, "--holdout", "mars", "--steps", "2", "--stage1-steps", "1");
        Assert.Equal(2, run.Code);
        Assert.Contains("center-a, center-b", run.Error);
    }
}
