using Sada.Core.Data;
using Sada.Core.Imaging;
using SkiaSharp;

namespace Sada.Core.Synthetic;

/// <summary>What to generate: centers, images per center, image side in pixels, seed.</summary>
public sealed record SyntheticSetOptions(int Centers = 4, int PerCenter = 500, int Size = 96, int Seed = 0)
{
    public void Validate()
    {
        if (Centers < 1 || Centers > 26) throw new ArgumentException($"centers must be 1 to 26, not {Centers}");
        if (PerCenter < CellClasses.Standard.Count) throw new ArgumentException($"per-center must be at least {CellClasses.Standard.Count} (one image per class), not {PerCenter}");
        if (Size < 32 || Size > 512) throw new ArgumentException($"size must be 32 to 512 px, not {Size}");
    }
}

/// <summary>One image of the plan: its center, class and file name.</summary>
public sealed record SyntheticCell(int Center, string CenterName, string ClassName, int Index, string FileName);

/// <summary>Progress of a generation: images written so far out of the total.</summary>
public sealed record SynthProgress(int Done, int Total);

/// <summary>
/// The synthetic multi-center blood-cell set: five classes drawn by morphology alone, coloured through a
/// two-stain Beer-Lambert model with each center's own stain vectors, background, illumination, blur and
/// noise, and imbalanced per center like real smears. Deterministic for a seed: every image draws from its
/// own <see cref="Random"/> seeded from (seed, center, index), so parallel rendering gives the same bytes.
/// </summary>
public sealed class SyntheticBloodCells
{
    /// <summary>The share range of each class per center (neutrophils common, basophils rare).</summary>
    public static readonly IReadOnlyDictionary<string, (double Min, double Max)> ClassShareRanges = new Dictionary<string, (double, double)>
    {
        ["neutrophil"] = (0.45, 0.60),
        ["lymphocyte"] = (0.20, 0.30),
        ["monocyte"] = (0.05, 0.10),
        ["eosinophil"] = (0.02, 0.06),
        ["basophil"] = (0.005, 0.02),
    };

    public SyntheticSetOptions Options { get; }
    public IReadOnlyList<CenterStyle> Styles { get; }
    /// <summary>Images per class, per center (center order as <see cref="Styles"/>, classes as <see cref="CellClasses.Standard"/>).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, int>> ClassCounts { get; }
    public IReadOnlyList<SyntheticCell> Cells { get; }

    public SyntheticBloodCells(SyntheticSetOptions options)
    {
        options.Validate();
        Options = options;
        var random = new Random(options.Seed);
        var order = CenterStyle.DistinctFamilyOrder(random);
        Styles = Enumerable.Range(0, options.Centers).Select(c => CenterStyle.Create(c, order, random)).ToList();
        ClassCounts = Enumerable.Range(0, options.Centers).Select(_ => DrawCounts(options.PerCenter, random)).ToList();
        var cells = new List<SyntheticCell>();
        for (int c = 0; c < options.Centers; c++)
        {
            var labels = ClassCounts[c].SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).ToArray();
            random.Shuffle(labels);
            for (int i = 0; i < labels.Length; i++)
                cells.Add(new SyntheticCell(c, Styles[c].Name, labels[i], i, $"{Styles[c].Name}-{i:D5}.png"));
        }
        Cells = cells;
    }

    /// <summary>Shares drawn inside <see cref="ClassShareRanges"/> (rejection, so they also sum to one), then whole counts, at least one per class.</summary>
    static Dictionary<string, int> DrawCounts(int total, Random random)
    {
        var classes = CellClasses.Standard;
        double[] shares = new double[classes.Count];
        for (int attempt = 0; ; attempt++)
        {
            double rest = 1;
            for (int k = 1; k < classes.Count; k++)
            {
                var (lo, hi) = ClassShareRanges[classes[k]];
                shares[k] = lo + (hi - lo) * random.NextDouble();
                rest -= shares[k];
            }
            shares[0] = rest;
            var (nlo, nhi) = ClassShareRanges[classes[0]];
            if (rest >= nlo && rest <= nhi || attempt > 10_000) break;
        }
        var counts = shares.Select(s => Math.Max(1, (int)Math.Floor(s * total))).ToArray();
        // Largest remainders first, then the commonest class absorbs what is left (it is also the largest).
        var byRemainder = Enumerable.Range(0, shares.Length).OrderByDescending(k => shares[k] * total - Math.Floor(shares[k] * total)).ToList();
        int missing = total - counts.Sum();
        for (int j = 0; missing > 0 && j < byRemainder.Count; j++, missing--) counts[byRemainder[j]]++;
        counts[0] += total - counts.Sum();
        return classes.Select((c, k) => (c, counts[k])).ToDictionary(x => x.c, x => x.Item2);
    }

    /// <summary>Renders one planned cell to PNG bytes.</summary>
    public byte[] RenderPng(SyntheticCell cell) => EncodePng(RenderRgb(cell), Options.Size);

    /// <summary>Renders one planned cell to RGB bytes (HWC).</summary>
    public byte[] RenderRgb(SyntheticCell cell)
    {
        var random = new Random(HashCode(Options.Seed, cell.Center, cell.Index));
        var painter = new CellPainter(Options.Size, random);
        painter.Paint(cell.ClassName);
        return Stain(painter.Nuclear, painter.Eosin, Styles[cell.Center], Options.Size, random);
    }

    /// <summary>
    /// Writes the set as an ImageFolder tree <c>out/&lt;center&gt;/&lt;class&gt;/&lt;file&gt;.png</c>; rendering in
    /// parallel does not change a byte.
    /// </summary>
    public void WriteImageFolder(string outDirectory, IProgress<SynthProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        foreach (var style in Styles)
            foreach (var cls in CellClasses.Standard)
                Directory.CreateDirectory(Path.Combine(outDirectory, style.Name, cls));
        int done = 0;
        Parallel.ForEach(Cells, new ParallelOptions { CancellationToken = cancellationToken }, cell =>
        {
            var bytes = RenderPng(cell);
            File.WriteAllBytes(Path.Combine(outDirectory, cell.CenterName, cell.ClassName, cell.FileName), bytes);
            int n = Interlocked.Increment(ref done);
            if (progress is not null && (n % 100 == 0 || n == Cells.Count)) progress.Report(new SynthProgress(n, Cells.Count));
        });
    }

    static int HashCode(int seed, int center, int index)
    {
        // A fixed mix (not System.HashCode, which is randomised per process).
        unchecked
        {
            uint h = 2166136261;
            foreach (var v in new[] { seed, center, index }) { h ^= (uint)v; h *= 16777619; h ^= h >> 15; h *= 2246822519; }
            return (int)(h & 0x7fffffff);
        }
    }

    /// <summary>Beer-Lambert with the center's stains, then its illumination, blur and noise.</summary>
    static byte[] Stain(float[] nuclear, float[] eosin, CenterStyle style, int size, Random random)
    {
        var rgb = new double[size * size * 3];
        double half = size / 2.0;
        // The illumination's centre wanders a little per image, as the field of view does.
        double lx = half * (1 + 0.4 * (random.NextDouble() - 0.5)), ly = half * (1 + 0.4 * (random.NextDouble() - 0.5));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int i = y * size + x;
                double rr = ((x - lx) * (x - lx) + (y - ly) * (y - ly)) / (half * half);
                double light = 1 - style.Vignette * Math.Min(1.5, rr) / 1.5;
                for (int c = 0; c < 3; c++)
                {
                    double od = style.StainScale * (nuclear[i] * style.NuclearStain[c] + eosin[i] * style.EosinStain[c]) + style.BackgroundOd[c];
                    double v = light * style.Gain[c] * Math.Exp(-od);
                    rgb[3 * i + c] = 255 * Math.Pow(Math.Clamp(v, 0, 1), style.Gamma);
                }
            }
        if (style.BlurSigma > 0.05) GaussianBlur(rgb, size, style.BlurSigma * size / 96.0);
        var bytes = new byte[rgb.Length];
        for (int i = 0; i < rgb.Length; i++)
        {
            // Box-Muller from the image's own random source.
            double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            bytes[i] = (byte)Math.Clamp(Math.Round(rgb[i] + style.NoiseSigma * g), 0, 255);
        }
        return bytes;
    }

    static void GaussianBlur(double[] rgb, int size, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(2.5 * sigma));
        var kernel = new double[2 * radius + 1];
        for (int k = -radius; k <= radius; k++) kernel[k + radius] = Math.Exp(-k * k / (2 * sigma * sigma));
        double sum = kernel.Sum();
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;
        var tmp = new double[rgb.Length];
        for (int pass = 0; pass < 2; pass++)
        {
            var src = pass == 0 ? rgb : tmp;
            var dst = pass == 0 ? tmp : rgb;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++)
                    {
                        double acc = 0;
                        for (int k = -radius; k <= radius; k++)
                        {
                            // Clamp at the border (replicate edge pixels).
                            int xx = pass == 0 ? Math.Clamp(x + k, 0, size - 1) : x;
                            int yy = pass == 1 ? Math.Clamp(y + k, 0, size - 1) : y;
                            acc += kernel[k + radius] * src[3 * (yy * size + xx) + c];
                        }
                        dst[3 * (y * size + x) + c] = acc;
                    }
        }
    }

    /// <summary>RGB (HWC) to PNG bytes.</summary>
    public static byte[] EncodePng(byte[] rgb, int size) => PngEncoder.Encode(rgb, size, size);
}
