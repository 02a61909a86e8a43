using System.Globalization;
using System.Text;
using System.Text.Json;
using Sada.Core.Models.Export;
using Sada.Core.Runtime;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using static TorchSharp.torch;

namespace Sada.Workbench.Runs;

/// <summary>Which of a run's stored networks: the selected (best validation), the last step's, or SWAD's average.</summary>
public enum RunWeights
{
    Best,
    Last,
    Swad,
}

/// <summary>What a run has to download: its files by <see cref="RunWeights"/>, its config, its evaluations and its classes.</summary>
public sealed record RunDownloadSet(RunCheckpoint Checkpoint, IReadOnlyList<RunMetric> Evaluations, IReadOnlyList<string> Classes)
{
    public int RunId => Checkpoint.Run.Id;

    public string Directory => Path.GetDirectoryName(Checkpoint.WeightsPath)!;

    /// <summary>The file the trainer writes for <paramref name="which"/>: best.weights, last.ckpt (resumable), swad.weights.</summary>
    public string PathOf(RunWeights which) => Path.Combine(Directory, which switch
    {
        RunWeights.Best => "best.weights",
        RunWeights.Last => "last.ckpt",
        RunWeights.Swad => "swad.weights",
        _ => throw new ArgumentOutOfRangeException(nameof(which), which, "not a checkpoint"),
    });

    /// <summary>Why <paramref name="which"/> cannot be downloaded, in a sentence; null when it can.</summary>
    public string? Problem(RunWeights which) =>
        !File.Exists(PathOf(which)) ? $"run {RunId} has no {RunDownloads.Name(which)} weights yet"
        : Classes.Count == 0 ? $"run {RunId}'s evaluations store no class list, so its classifier's outputs have no names"
        : null;

    public bool HasMetrics => Evaluations.Count > 0;

    /// <summary>The evaluation whose network <paramref name="which"/> holds, when one does (SWAD's average was never evaluated as a step).</summary>
    public RunMetric? EvaluationOf(RunWeights which) => which switch
    {
        RunWeights.Best => Checkpoint.Selected,
        RunWeights.Last => Evaluations.Count > 0 ? Evaluations[^1] : null,
        _ => null,
    };
}

/// <summary>
/// A run's downloads: its weights as torchvision-named safetensors, its classifier as ONNX (both made from the stored file
/// on request, on the CPU, on a thread of their own), its full config as JSON and its evaluations as CSV.
/// </summary>
public sealed class RunDownloads(RunCatalog runs, RunCheckpoints checkpoints, TorchStatus torch)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The names <c>?which=</c> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<RunWeights>().Select(Name).ToArray();

    public static string Name(RunWeights which) => which.ToString().ToLowerInvariant();

    /// <summary>Parses <c>?which=</c> (best when absent); false for any other word.</summary>
    public static bool TryParseWhich(string? text, out RunWeights which)
    {
        which = RunWeights.Best;
        if (string.IsNullOrEmpty(text)) return true;
        foreach (var w in Enum.GetValues<RunWeights>())
            if (string.Equals(Name(w), text, StringComparison.OrdinalIgnoreCase))
            {
                which = w;
                return true;
            }
        return false;
    }

    /// <summary>The run's downloads; null for an unknown run.</summary>
    public async Task<RunDownloadSet?> FindAsync(int runId, CancellationToken cancellation = default)
    {
        if (await runs.EvaluatedAsync(runId, cancellation) is not { } evaluated) return null;
        var evaluations = evaluated.Evaluations.OrderBy(m => m.Step).ToList();
        var checkpoint = checkpoints.Of(evaluated.Run, evaluations);
        // The classes in training order: the selected evaluation's, else the latest that stores them (every evaluation has the same).
        var classes = checkpoint.Classes.Count > 0 ? checkpoint.Classes
            : evaluations.Select(m => ClassesOf(m)).LastOrDefault(c => c.Count > 0) ?? [];
        return new RunDownloadSet(checkpoint, evaluations, classes);
    }

    static IReadOnlyList<string> ClassesOf(RunMetric metric) =>
        JsonSerializer.Deserialize<ConfusionMessage>(metric.ConfusionJson, Json)?.Classes ?? [];

    /// <summary>The weights of <paramref name="which"/> as a .safetensors file under torchvision's names.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or torch did not load; the message says which.</exception>
    public Task<byte[]> SafetensorsAsync(RunDownloadSet set, RunWeights which, CancellationToken cancellation = default) =>
        WithNetworkAsync(set, which, SafetensorsExport.ToBytes, cancellation);

    /// <summary>The classifier of <paramref name="which"/> as an ONNX model (see <see cref="OnnxExport"/>).</summary>
    /// <exception cref="InvalidOperationException">The file is missing or torch did not load; the message says which.</exception>
    public Task<byte[]> OnnxAsync(RunDownloadSet set, RunWeights which, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        var run = set.Checkpoint.Run;
        var config = set.Checkpoint.Config;
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["run"] = run.Id.ToString(CultureInfo.InvariantCulture),
            ["checkpoint"] = Name(which),
            ["algorithm"] = config.Algorithm,
            ["held_out_center"] = run.HoldoutCenter,
            ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (set.EvaluationOf(which) is { } evaluation) extra["step"] = evaluation.Step.ToString(CultureInfo.InvariantCulture);
        var description = new OnnxExport.Description(config.Backbone, config.ImageSize, set.Classes) { Extra = extra };
        return WithNetworkAsync(set, which, network => OnnxExport.ToBytes(network, description), cancellation);
    }

    Task<byte[]> WithNetworkAsync(RunDownloadSet set, RunWeights which, Func<Core.Models.CellNetwork, byte[]> export, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.Problem(which) is { } problem) throw new InvalidOperationException(problem);
        if (!torch.Loaded) throw new InvalidOperationException($"TorchSharp did not load: {torch.Error}");
        // Seconds of CPU for a ResNet-50: off the request's and the circuits' thread pool.
        return Task.Factory.StartNew(() =>
        {
            using var network = TrainedNetwork.Load(set.Checkpoint.Config, set.Classes.Count, set.PathOf(which), CPU);
            return export(network);
        }, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The run's full config (every hyper-parameter, the run's seed) as indented JSON.</summary>
    public static string ConfigJson(RunDownloadSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        using var document = JsonDocument.Parse(set.Checkpoint.Config.ToJson());
        return JsonSerializer.Serialize(document.RootElement, Indented) + "\n";
    }

    /// <summary>
    /// One row per evaluation step: step, stage, each loss the algorithm reported (by its own names, in the order they first
    /// appear; empty where a step has none), held-out accuracy (= F1-micro) and F1-macro, validation accuracy, the validation
    /// accuracy of each training center (<c>validation_CENTER</c>), images per second and elapsed seconds. Invariant culture,
    /// fractions with full precision, empty for a missing value.
    /// </summary>
    public static string MetricsCsv(IReadOnlyList<RunMetric> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var losses = evaluations.Select(m => JsonSerializer.Deserialize<Dictionary<string, double?>>(m.LossesJson, Json) ?? []).ToList();
        var validation = evaluations.Select(m => JsonSerializer.Deserialize<Dictionary<string, double?>>(m.ValidationJson, Json) ?? []).ToList();
        var lossNames = losses.SelectMany(l => l.Keys).Distinct(StringComparer.Ordinal).ToList();
        var centers = validation.SelectMany(v => v.Keys).Distinct(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        Row(csv, ["step", "stage", .. lossNames, "held_out_accuracy", "held_out_f1_macro", "validation_accuracy",
            .. centers.Select(c => "validation_" + c), "images_per_second", "elapsed_seconds"]);
        for (int i = 0; i < evaluations.Count; i++)
        {
            var m = evaluations[i];
            Row(csv, [
                m.Step.ToString(CultureInfo.InvariantCulture), m.Stage.ToString(CultureInfo.InvariantCulture),
                .. lossNames.Select(n => Number(losses[i].GetValueOrDefault(n))),
                Number(m.HeldOutAccuracy), Number(m.HeldOutF1Macro), Number(m.ValidationAccuracy),
                .. centers.Select(c => Number(validation[i].GetValueOrDefault(c))),
                Number(m.ImagesPerSecond), Number(m.ElapsedSeconds),
            ]);
        }
        return csv.ToString();
    }

    static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    static void Row(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell));
        csv.Append('\n');
    }

    /// <summary>RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled.</summary>
    static string Cell(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
