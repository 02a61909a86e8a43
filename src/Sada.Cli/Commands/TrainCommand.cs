using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Sada.Core.Algorithms;
using Sada.Core.Data;
using Sada.Core.Runtime;
using Sada.Core.Training;

namespace Sada.Cli.Commands;

/// <summary>`sada train`: one algorithm, leave-one-center-out, on an ImageFolder tree, from the terminal.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new AlgorithmConfig();
        var data = new Option<DirectoryInfo>("--data") { Description = "ImageFolder tree: root/<center>/<class>/<image>", Required = true };
        var holdout = new Option<string>("--holdout") { Description = "Held-out center, or 'all' for every center in turn", Required = true };
        var algorithm = new Option<string>("--algorithm") { Description = string.Join(", ", AlgorithmConfig.Algorithms), DefaultValueFactory = _ => defaults.Algorithm };
        algorithm.AcceptOnlyFromAmong([.. AlgorithmConfig.Algorithms]);
        var backbone = new Option<string>("--backbone") { Description = string.Join(", ", AlgorithmConfig.Backbones), DefaultValueFactory = _ => defaults.Backbone };
        backbone.AcceptOnlyFromAmong([.. AlgorithmConfig.Backbones]);
        var weights = new Option<FileInfo?>("--weights") { Description = "ImageNet weights for resnet18/resnet50: a torchvision .pth state dict or .safetensors file" };
        var fromScratch = new Option<bool>("--from-scratch") { Description = "Random initial weights instead of ImageNet (the default: resnet18-imagenet's built-in weights, or --weights)" };
        var freezeBatchNorm = new Option<string>("--freeze-batchnorm")
        {
            Description = "auto (frozen when starting from ImageNet, trained from scratch), always or never",
            DefaultValueFactory = _ => defaults.FreezeBatchNorm.ToString().ToLowerInvariant(),
        };
        freezeBatchNorm.AcceptOnlyFromAmong([.. Enum.GetNames<BatchNormPolicy>().Select(n => n.ToLowerInvariant())]);
        var size = new Option<int>("--size") { Description = "Image size in pixels", DefaultValueFactory = _ => defaults.ImageSize };
        var batch = new Option<int>("--batch") { Description = "Cells per training center per step", DefaultValueFactory = _ => defaults.BatchPerCenter };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => defaults.Steps };
        var stage1 = new Option<int>("--stage1-steps") { Description = "Steps of stage 1 (feature learning) before the classifier trains", DefaultValueFactory = _ => defaults.Stage1Steps };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => defaults.EvalEvery };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => defaults.LearningRate };
        var k = new Option<int>("--k") { Description = "Stain clusters, and views per cell", DefaultValueFactory = _ => defaults.K };
        var laWeight = new Option<double>("--la-weight") { Description = "Local-alignment weight (0 switches LA off)", DefaultValueFactory = _ => defaults.LaWeight };
        var contrast = new Option<string>("--contrast") { Description = "proxy (DISC), supcon or none", DefaultValueFactory = _ => "proxy" };
        contrast.AcceptOnlyFromAmong("proxy", "supcon", "none");
        var noSba = new Option<bool>("--no-sba") { Description = "Replace stain transfers by ColorJitter copies (ablation)" };
        var singleStage = new Option<bool>("--single-stage") { Description = "Cross-entropy from step 0 with the views as extra samples (ablation)" };
        var swad = new Option<bool>("--swad") { Description = "Dense weight averaging (SWAD, LossValley) in stage 2" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var output = new Option<FileInfo?>("--out") { Description = "Results JSON: config, every evaluation, held-out metrics per class" };
        var checkpoints = new Option<DirectoryInfo?>("--checkpoints") { Description = "Checkpoint folder (default: <data directory>/cli-runs/<algorithm>-seed<seed>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoints in the checkpoint folder" };
        var temperature = new Option<double>("--temperature") { Description = "Contrastive temperature (tau)", DefaultValueFactory = _ => defaults.Temperature };
        var collapseWindow = new Option<int>("--collapse-window") { Description = "Stage-1 steps at the contrastive loss's uniform value (on average) that make a collapse (0: off)", DefaultValueFactory = _ => defaults.CollapseWindow };
        var stopOnCollapse = new Option<bool>("--stop-on-collapse") { Description = "Fail the run when stage 1 collapses" };
        var channelsLast = new Option<bool>("--channels-last") { Description = "Store the network channels-last (oneDNN convolves without layout copies; results differ by float rounding)" };
        var bf16 = new Option<bool>("--bf16") { Description = "bfloat16 autocast for the backbone's training forward pass (CPU; evaluation stays float32)" };

        var command = new Command("train", "Train one algorithm with one center (or each in turn) held out.")
        {
            data, holdout, algorithm, backbone, weights, fromScratch, freezeBatchNorm, size, batch, steps, stage1, evalEvery, lr, k, laWeight, contrast,
            noSba, singleStage, swad, seed, output, checkpoints, resume, temperature, collapseWindow, stopOnCollapse,
            channelsLast, bf16,
        };
        command.SetAction((result, cancellation) =>
        {
            var config = new AlgorithmConfig
            {
                Algorithm = result.GetValue(algorithm)!,
                Backbone = result.GetValue(backbone)!,
                Weights = result.GetValue(weights)?.FullName,
                Init = result.GetValue(fromScratch) ? BackboneInit.Scratch : BackboneInit.ImageNet,
                FreezeBatchNorm = Enum.Parse<BatchNormPolicy>(result.GetValue(freezeBatchNorm)!, ignoreCase: true),
                ImageSize = result.GetValue(size),
                BatchPerCenter = result.GetValue(batch),
                Steps = result.GetValue(steps),
                Stage1Steps = result.GetValue(stage1),
                EvalEvery = result.GetValue(evalEvery),
                LearningRate = result.GetValue(lr),
                K = result.GetValue(k),
                LaWeight = result.GetValue(laWeight),
                Contrast = Enum.Parse<ContrastMode>(result.GetValue(contrast)!, ignoreCase: true),
                StainAugmentation = !result.GetValue(noSba),
                TwoStage = !result.GetValue(singleStage),
                Swad = result.GetValue(swad),
                Seed = result.GetValue(seed),
                Temperature = result.GetValue(temperature),
                CollapseWindow = result.GetValue(collapseWindow),
                StopOnCollapse = result.GetValue(stopOnCollapse),
                ChannelsLast = result.GetValue(channelsLast),
                BFloat16 = result.GetValue(bf16),
            };
            var request = new TrainRequest(result.GetValue(data)!, result.GetValue(holdout)!, config, result.GetValue(output),
                result.GetValue(checkpoints), result.GetValue(resume));
            return Task.FromResult(Run(request, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation));
        });
        return command;
    }

    sealed record TrainRequest(DirectoryInfo Data, string Holdout, AlgorithmConfig Config, FileInfo? Output, DirectoryInfo? Checkpoints, bool Resume);

    static int Run(TrainRequest request, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        var config = request.Config;
        var invalid = config.Validate();
        if (invalid.Count > 0)
        {
            foreach (var e in invalid) error.WriteLine($"error: {e.Field}: {e.Message}");
            return 2;
        }
        if (!request.Data.Exists)
        {
            error.WriteLine($"error: data folder not found: {request.Data.FullName}");
            return 2;
        }

        var options = CliSettings.Load();
        var torch = TorchRuntime.Initialize(options.Device, options.ResolveTorchThreads());
        if (!torch.Loaded)
        {
            error.WriteLine($"error: {torch.Error}");
            return 2;
        }

        var scan = ImageFolder.Scan(request.Data.FullName);
        foreach (var problem in scan.Problems) error.WriteLine($"warning: {problem.Path}: {problem.Reason}");
        var dataset = ImageFolder.ToDataset(scan);
        output.WriteLine($"{config.Backbone}, initialisation {config.InitDescription}, BatchNorm {config.BatchNormDescription}" +
                         (config.ChannelsLast ? ", channels-last" : "") + (config.BFloat16 ? ", bfloat16 autocast" : ""));
        output.WriteLine($"{dataset.Samples.Count} images, {dataset.Centers.Count} centers ({string.Join(", ", dataset.Centers)}), " +
                         $"{dataset.Classes.Count} classes ({string.Join(", ", dataset.Classes)}); device {torch.Device}, {torch.Threads} threads");

        IReadOnlyList<string> heldOut;
        try
        {
            heldOut = request.Holdout.Equals("all", StringComparison.OrdinalIgnoreCase)
                ? dataset.Centers
                : [dataset.Centers[dataset.CenterIndex(request.Holdout)]];
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }

        var checkpointRoot = request.Checkpoints?.FullName
            ?? Path.Combine(options.ResolveDataDirectory(), "cli-runs", $"{config.Algorithm}-seed{config.Seed}");
        var results = new List<TrainingResult>();
        foreach (var center in heldOut)
        {
            var folder = Path.Combine(checkpointRoot, center);
            if (!request.Resume && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            output.WriteLine($"== held out: {center} (checkpoints in {folder})");
            var printer = new ProgressPrinter(output);
            var trainer = new Trainer(dataset, center, config, n => AlgorithmRegistry.Create(config, n, TorchRuntime.Device), TorchRuntime.Device,
                new TrainerOptions { CheckpointDirectory = folder, Resume = request.Resume, CacheMegabytes = options.Data.CacheMegabytes }, printer);
            try
            {
                var result = trainer.Run(cancellation);
                results.Add(result);
                output.WriteLine($"   selected step {result.SelectedStep}: F1-micro {result.Selected.F1Micro:P1}, F1-macro {result.Selected.F1Macro:P1}" +
                                 (result.Swad is { } s ? $"; SWAD: F1-micro {s.F1Micro:P1}, F1-macro {s.F1Macro:P1}" : "") +
                                 (result.Collapse is { } c ? $" (stage 1 COLLAPSED at step {c.Step})" : ""));
            }
            catch (OperationCanceledException)
            {
                error.WriteLine($"cancelled; checkpoints kept in {folder}: run again with --resume to continue.");
                return 130;
            }
            catch (Exception e) when (e is TrainingDivergedException or StageOneCollapsedException or InvalidOperationException or InvalidDataException or FileNotFoundException or ArgumentException)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }

        var report = TrainingReport.From(config, results);
        if (results.Count > 1)
        {
            output.WriteLine();
            output.WriteLine($"{"held out",-20} {"F1-micro",9} {"F1-macro",9}");
            foreach (var r in results) output.WriteLine($"{r.HeldOut,-20} {r.Selected.F1Micro,9:P1} {r.Selected.F1Macro,9:P1}");
            output.WriteLine($"{"average",-20} {report.MeanF1Micro,9:P1} {report.MeanF1Macro,9:P1}");
        }
        if (request.Output is { } file)
        {
            report.Save(file.FullName);
            output.WriteLine($"results written to {file.FullName}");
        }
        return 0;
    }

    /// <summary>A one-line progress bar redrawn in place on a terminal; plain lines every few seconds elsewhere (logs, CI).</summary>
    sealed class ProgressPrinter(TextWriter output) : IProgress<TrainingEvent>
    {
        readonly bool _terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        readonly Stopwatch _sinceLine = Stopwatch.StartNew();

        public void Report(TrainingEvent e)
        {
            switch (e)
            {
                case TrainingProgress p:
                    var bar = Bar((p.Step + 1) / (double)p.TotalSteps);
                    var losses = string.Join(" ", p.Losses.Where(kv => kv.Key != "total").Select(kv => $"{kv.Key} {kv.Value:F3}"));
                    var line = $"{bar} step {p.Step + 1}/{p.TotalSteps} stage {p.Stage} | loss {p.Losses.GetValueOrDefault("total"):F3} {losses} | {p.ImagesPerSecond:F0} img/s | batch wait {p.BatchWaitMs:F0} ms/step | ETA {Eta(p.EtaSeconds)}";
                    if (_terminal) output.Write("\r" + line.PadRight(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 0));
                    else if (_sinceLine.Elapsed.TotalSeconds >= 10 || p.Step + 1 == p.TotalSteps) { output.WriteLine(line); _sinceLine.Restart(); }
                    break;
                case EvaluationRecord r:
                    if (_terminal) output.WriteLine();
                    output.WriteLine($"   eval step {r.Step} (stage {r.Stage}): held-out acc {r.HeldOut.Accuracy:P1}, F1-macro {r.HeldOut.F1Macro:P1}, " +
                                     $"validation {r.ValidationAccuracy:P1}");
                    break;
                case TrainingLog { Level: "progress" }:
                    break;
                case StageOneCollapsed c:
                    if (_terminal) output.WriteLine();
                    output.WriteLine($"   warning: {c.Message}");
                    break;
                case TrainingLog l:
                    if (_terminal) output.WriteLine();
                    output.WriteLine($"   {l.Level}: {l.Message}");
                    break;
            }
        }

        static string Bar(double fraction)
        {
            int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * 24);
            return "[" + new string('#', filled) + new string('.', 24 - filled) + "]";
        }

        static string Eta(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(Math.Round(s)).ToString(s >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture) : "?";
    }
}
