using System.Text.Json;
using Sada.Core.Algorithms;

namespace Sada.Core.Training;

/// <summary>
/// What `sada train --out` writes: the config, every held-out run with every evaluation, and, across held-out
/// centers, the average of the selected (best-by-validation) F1-micro and F1-macro.
/// </summary>
public sealed record TrainingReport(AlgorithmConfig Config, IReadOnlyList<TrainingResult> Runs, double MeanF1Micro, double MeanF1Macro, DateTime CreatedAt)
{
    public static TrainingReport From(AlgorithmConfig config, IReadOnlyList<TrainingResult> runs) =>
        new(config, runs,
            runs.Count == 0 ? 0 : runs.Average(r => r.Selected.F1Micro),
            runs.Count == 0 ? 0 : runs.Average(r => r.Selected.F1Macro),
            DateTime.UtcNow);

    /// <summary>Where the backbone started, e.g. "ImageNet" or "from scratch", so a reader need not decode the config.</summary>
    public string Initialisation => Config.InitDescription;

    /// <summary>Whether BatchNorm's statistics were trained, and by which policy, e.g. "frozen (auto)".</summary>
    public string BatchNorm => Config.BatchNormDescription;

    /// <summary>
    /// Every held-out run whose stage 1 collapsed, with the monitor's message naming the step: its metrics come from a
    /// collapsed representation. Empty when none did.
    /// </summary>
    public IReadOnlyList<string> StageOneCollapses =>
        Runs.Where(r => r.Collapse is not null).Select(r => $"{r.HeldOut}: {r.Collapse!.Message}").ToList();

    static readonly JsonSerializerOptions Json = new(AlgorithmConfig.Json) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Written to a temporary file and renamed, so a crash never leaves half a report.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full + ".tmp", ToJson());
        File.Move(full + ".tmp", full, overwrite: true);
    }

    public static TrainingReport Load(string path) =>
        JsonSerializer.Deserialize<TrainingReport>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no report.");
}
