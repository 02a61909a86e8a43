using System.Globalization;
using System.Security.Cryptography;
using Sada.Core.Data;
using Sada.Core.Imaging;
using Sada.Core.Synthetic;

namespace Sada.Core.Tests.Synthetic;

public class SyntheticBloodCellsTests
{
    static readonly SyntheticSetOptions Tiny = new(Centers: 2, PerCenter: 20, Size: 40, Seed: 7);

    [Fact]
    public void The_same_seed_writes_the_same_bytes_even_in_parallel()
    {
        var a = Path.Combine(Path.GetTempPath(), "sada-synth-" + Guid.NewGuid().ToString("N"));
        try
        {
            new SyntheticBloodCells(Tiny).WriteImageFolder(a);
            var again = new SyntheticBloodCells(Tiny);
            foreach (var cell in again.Cells)
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, cell.CenterName, cell.ClassName, cell.FileName)), again.RenderPng(cell));
            Assert.Equal(40, ImageFolder.ToDataset(a).Samples.Count);
        }
        finally { Directory.Delete(a, recursive: true); }
    }

    [Fact]
    public void Different_seeds_give_different_images_and_plans()
    {
        var one = new SyntheticBloodCells(Tiny);
        var two = new SyntheticBloodCells(Tiny with { Seed = 8 });
        Assert.NotEqual(Digest(one), Digest(two));
    }

    [Fact]
    public void Class_shares_stay_in_the_smear_ranges_and_differ_per_center()
    {
        var set = new SyntheticBloodCells(new SyntheticSetOptions(Centers: 6, PerCenter: 1000, Size: 32, Seed: 3));
        foreach (var counts in set.ClassCounts)
        {
            Assert.Equal(1000, counts.Values.Sum());
            foreach (var (cls, (min, max)) in SyntheticBloodCells.ClassShareRanges)
                Assert.InRange(counts[cls] / 1000.0, min - 0.001, max + 0.001);
        }
        Assert.True(set.ClassCounts.Select(c => c["neutrophil"]).Distinct().Count() > 1, "centers should not share one class balance");
        Assert.Equal(6000, set.Cells.Count);
    }

    [Fact]
    public void Every_center_has_every_class_even_when_tiny()
    {
        var set = new SyntheticBloodCells(new SyntheticSetOptions(Centers: 3, PerCenter: 5, Size: 32, Seed: 1));
        Assert.All(set.ClassCounts, counts => Assert.All(CellClasses.Standard, c => Assert.Equal(1, counts[c])));
    }

    [Fact]
    public void Centers_differ_in_colour_while_a_class_keeps_its_shape()
    {
        var set = new SyntheticBloodCells(new SyntheticSetOptions(Centers: 4, PerCenter: 60, Size: 64, Seed: 0));
        var meanColour = new double[4][];
        var nucleus = new Dictionary<(int, string), List<double>>();
        var spread = new Dictionary<(int, string), List<double>>();
        for (int c = 0; c < 4; c++) meanColour[c] = new double[3];
        foreach (var cell in set.Cells)
        {
            var rgb = CellImageDecoder.Decode(set.RenderPng(cell)).Rgb;
            for (int i = 0; i < rgb.Length; i++) meanColour[cell.Center][i % 3] += rgb[i] / (rgb.Length / 3.0) / set.ClassCounts[cell.Center].Values.Sum();
            var key = (cell.Center, cell.ClassName);
            if (!nucleus.TryGetValue(key, out var list)) nucleus[key] = list = [];
            var (fraction, compactness) = NucleusShape(rgb, set.Options.Size);
            list.Add(fraction);
            if (!spread.TryGetValue(key, out var s2)) spread[key] = s2 = [];
            s2.Add(compactness);
        }
        // Colour: every pair of centers at least 12 grey levels apart (Euclidean over the channel means).
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
            {
                double d = Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Math.Pow(meanColour[a][k] - meanColour[b][k], 2)));
                Assert.True(d > 12, $"centers {a} and {b} differ by only {d:F1} grey levels in mean colour");
            }
        // Shape: colour-free statistics of the densely stained region (its area, and its spread: the radius of
        // gyration squared over the area, 1/(2 pi) for a disc) agree across centers for a class, while a
        // round lymphocyte nucleus and a lobed neutrophil nucleus stay apart in every center.
        foreach (var cls in new[] { "neutrophil", "lymphocyte", "monocyte" })
            foreach (var statistic in new[] { nucleus, spread })
            {
                var means = Enumerable.Range(0, 4).Select(c => statistic[(c, cls)].Average()).ToList();
                Assert.True(means.Max() - means.Min() < 0.3 * means.Average(), $"{cls}: per center {string.Join(", ", means.Select(m => m.ToString("F3", CultureInfo.InvariantCulture)))}");
            }
        for (int c = 0; c < 4; c++)
            Assert.True(spread[(c, "neutrophil")].Average() > 1.3 * spread[(c, "lymphocyte")].Average(),
                $"center {c}: " + string.Join(", ", CellClasses.Standard.Select(k => $"{k} {spread[(c, k)].Average():F3}")));
    }

    /// <summary>
    /// Fraction of pixels whose optical density (against the image's own background) is over half of its 99th
    /// percentile in the middle of the crop: the densely stained nucleus, measured the same way whatever the center's colours.
    /// </summary>
    static (double Fraction, double Spread) NucleusShape(byte[] rgb, int size)
    {
        int n = rgb.Length / 3;
        var background = new double[3];
        for (int k = 0; k < 3; k++)
        {
            var channel = Enumerable.Range(0, n).Select(i => (double)rgb[3 * i + k]).Order().ToList();
            background[k] = Math.Max(1, channel[(int)(0.98 * (n - 1))]);
        }
        var od = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, 3).Sum(k => -Math.Log(Math.Max(1, (double)rgb[3 * i + k]) / background[k]))).ToArray();
        var sorted = od.Order().ToArray();
        double threshold = 0.5 * sorted[(int)(0.99 * (n - 1))];
        // Only the middle of the crop, where the white cell is: red cells elsewhere may stain as densely in some centers.
        double half = size / 2.0;
        var dark = Enumerable.Range(0, n).Where(i => od[i] > threshold && Math.Pow(i % size + 0.5 - half, 2) + Math.Pow(i / size + 0.5 - half, 2) < Math.Pow(0.32 * size, 2)).ToList();
        double mx = dark.Average(i => i % size), my = dark.Average(i => i / size);
        double gyration = dark.Average(i => Math.Pow(i % size - mx, 2) + Math.Pow(i / size - my, 2));
        return (dark.Count / (double)n, gyration / dark.Count);
    }

    static string Digest(SyntheticBloodCells set) =>
        Convert.ToHexString(SHA256.HashData(set.Cells.Take(10).SelectMany(set.RenderPng).ToArray()));
}
