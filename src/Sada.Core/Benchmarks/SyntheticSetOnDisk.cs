using System.Diagnostics;
using Sada.Core.Data;
using Sada.Core.Synthetic;

namespace Sada.Core.Benchmarks;

/// <summary>
/// A synthetic multi-center ImageFolder tree for the data and training benchmarks: written once into a folder, and reused
/// when the folder already holds the same set (a marker file names its options). Drawing a cell costs milliseconds, so a
/// large set draws at most <c>distinct</c> of them and fills each center and class with copies of its own drawn files:
/// every file is still read and decoded on its own, which is what the data path costs.
/// </summary>
public static class SyntheticSetOnDisk
{
    const string Marker = ".sada-bench-set";

    /// <summary>The set's dataset and the seconds spent writing it (0 when it was already there).</summary>
    public static (MultiCenterDataset Data, double Seconds) Ensure(string folder, int images, int centers, int size, int seed, int distinct,
        Action<string>? log = null)
    {
        if (centers < 2) throw new ArgumentException($"A benchmark set needs at least 2 centers (one is held out), not {centers}.");
        if (distinct < 1) throw new ArgumentException($"A benchmark set needs at least 1 distinct image, not {distinct}.");
        var options = new SyntheticSetOptions(centers, images / centers, size, seed);
        options.Validate();
        var marker = Path.Combine(folder, Marker);
        var description = $"{options} distinct {distinct}";
        double seconds = 0;
        if (!File.Exists(marker) || File.ReadAllText(marker) != description)
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            var set = new SyntheticBloodCells(options);
            log?.Invoke($"writing {set.Cells.Count} synthetic images of {size} px ({Math.Min(distinct, set.Cells.Count)} drawn) to {folder}");
            var clock = Stopwatch.StartNew();
            Write(set, folder, (double)distinct / set.Cells.Count);
            File.WriteAllText(marker, description);
            seconds = clock.Elapsed.TotalSeconds;
        }
        else log?.Invoke($"reusing the synthetic set in {folder}");
        return (ImageFolder.ToDataset(folder), seconds);
    }

    /// <summary>In each (center, class), the first ceil(fraction x n) cells drawn, the others copies of them in turn.</summary>
    static void Write(SyntheticBloodCells set, string folder, double fraction)
    {
        string PathOf(SyntheticCell c) => Path.Combine(folder, c.CenterName, c.ClassName, c.FileName);
        var groups = set.Cells.GroupBy(c => (c.Center, c.ClassName)).Select(g => g.ToList()).ToList();
        foreach (var g in groups) Directory.CreateDirectory(Path.GetDirectoryName(PathOf(g[0]))!);
        var drawn = groups.SelectMany(g => g.Take(Quota(g.Count, fraction))).ToList();
        Parallel.ForEach(drawn, cell => File.WriteAllBytes(PathOf(cell), set.RenderPng(cell)));
        foreach (var g in groups)
        {
            int quota = Quota(g.Count, fraction);
            for (int i = quota; i < g.Count; i++) File.Copy(PathOf(g[i % quota]), PathOf(g[i]), overwrite: true);
        }
    }

    static int Quota(int n, double fraction) => Math.Clamp((int)Math.Ceiling(n * fraction), 1, n);
}
