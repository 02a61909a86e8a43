using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Core.Training;
using Sada.Data.Datasets;

namespace Sada.Data.Runs;

/// <summary>
/// The <c>Sada:Runs</c> section: what a queued run or study may ask of the server. Checked when it is queued, so a run
/// that could not fit, or names a file it should not, never starts.
/// </summary>
public sealed record RunLimits
{
    public const string Section = "Sada:Runs";

    /// <summary>Folders whose files a config's <c>weights</c> may name. None: no run may use a weights file.</summary>
    public string[] WeightRoots { get; init; } = [];

    /// <summary>Memory one run may take, in MiB; 0: 80 % of what the machine (or its container) gives the process.</summary>
    public long MemoryBudgetMB { get; init; }

    /// <summary>Most seeds in one study.</summary>
    public int MaxStudySeeds { get; init; } = 20;

    /// <summary>Most runs one study queues (variants x held-out centers x seeds).</summary>
    public int MaxStudyRuns { get; init; } = 500;

    public void Validate()
    {
        if (MemoryBudgetMB < 0) throw new ArgumentException($"Sada:Runs:MemoryBudgetMB must not be negative, not {MemoryBudgetMB}.");
        if (MaxStudySeeds < 1) throw new ArgumentException($"Sada:Runs:MaxStudySeeds must be at least 1, not {MaxStudySeeds}.");
        if (MaxStudyRuns < 1) throw new ArgumentException($"Sada:Runs:MaxStudyRuns must be at least 1, not {MaxStudyRuns}.");
    }

    public long MemoryBudgetBytes => MemoryBudgetMB > 0 ? MemoryBudgetMB << 20 : (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);

    /// <summary>
    /// The problem with a config's weights path, or null when it names an existing file inside a weight root (every
    /// <c>..</c> and link resolved). Outside the roots the answer is the same whether or not the path exists, so the
    /// check cannot be used to probe the server's files.
    /// </summary>
    public string? CheckWeights(string path)
    {
        var roots = WeightRoots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).ToList();
        if (roots.Count == 0) return "no weight root is configured (Sada:Runs:WeightRoots), so a run cannot use a weights file";
        var outside = $"'{path}' is not inside a weight root; weights files must lie under {string.Join(", ", roots.Select(r => $"'{r}'"))}";
        string real;
        try { real = ImportRoots.RealPath(path.Trim()); }
        catch (Exception e) when (e is DatasetException or ArgumentException or IOException or NotSupportedException) { return outside; }
        bool inside = roots.Any(root =>
        {
            var r = ImportRoots.RealPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            return real.StartsWith(r, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
        });
        if (!inside) return outside;
        return File.Exists(real) ? null : $"file not found: '{path}' (inside the weight roots)";
    }

    /// <summary>Adds an error under <c>prefix.BatchPerCenter</c> when the run's estimated peak memory is above the budget.</summary>
    public void CheckMemory(AlgorithmConfig config, int trainingCenters, long decodedImageBytes, RequestErrors errors, string prefix)
    {
        var estimate = RunMemoryEstimate.Of(config, trainingCenters, decodedImageBytes);
        long budget = MemoryBudgetBytes;
        if (estimate.Bytes <= budget) return;
        errors.Add($"{prefix}.{nameof(AlgorithmConfig.BatchPerCenter)}",
            $"this run would need about {RunMemoryEstimate.Gigabytes(estimate.Bytes)} of memory ({config.Backbone} at {config.ImageSize} px, "
            + $"{estimate.ViewsPerStep:N0} images per step = {config.BatchPerCenter} per center x {trainingCenters} training centers"
            + (estimate.ViewsPerStep > config.BatchPerCenter * trainingCenters ? $" x {config.K} views" : "")
            + $", plus {RunMemoryEstimate.Gigabytes(estimate.ImageBytes)} of decoded images), but a run may use {RunMemoryEstimate.Gigabytes(budget)} here; "
            + "lower BatchPerCenter, ImageSize or K, or use resnet18");
    }
}

/// <summary>What the trainer's decoded-image cache holds per center (RGB bytes at each image's own size), for the memory check.</summary>
public static class DecodedImageBytes
{
    public static async Task<IReadOnlyDictionary<string, long>> ByCenterAsync(SadaDbContext db, int datasetId, CancellationToken cancellation) =>
        await db.CellImages.Where(i => i.Center!.DatasetId == datasetId)
            .GroupBy(i => i.Center!.Name)
            .Select(g => new { Center = g.Key, Bytes = g.Sum(i => (long)i.Width * i.Height * 3) })
            .ToDictionaryAsync(x => x.Center, x => x.Bytes, cancellation);

    /// <summary>The training centers' total: every center but the held-out one.</summary>
    public static long Training(IReadOnlyDictionary<string, long> byCenter, string heldOut) =>
        byCenter.Where(c => c.Key != heldOut).Sum(c => c.Value);
}
