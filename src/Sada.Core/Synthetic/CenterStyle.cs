using System.Globalization;
namespace Sada.Core.Synthetic;

/// <summary>
/// How one synthetic center stains and photographs its smears: two stain vectors (optical density per unit
/// concentration, R, G, B), a background tint and the camera's gain, vignetting, blur and noise. Everything
/// that differs between centers lives here; the cells themselves do not depend on the center.
/// </summary>
public sealed record CenterStyle(
    string Name,
    double[] NuclearStain,
    double[] EosinStain,
    double[] BackgroundOd,
    double[] Gain,
    double StainScale,
    double Gamma,
    double Vignette,
    double BlurSigma,
    double NoiseSigma)
{
    // Hand-picked stain families (Giemsa/May-Grunwald-Giemsa/Wright look-alikes, a warm camera, a faint stain),
    // so that any four centers differ strongly; each center perturbs its family.
    static readonly (double[] H, double[] E, double[] Bg)[] Families =
    [
        ([0.85, 0.95, 0.35], [0.12, 0.80, 0.65], [0.02, 0.04, 0.03]),  // May-Grunwald-Giemsa: violet nuclei, pink red cells
        ([1.10, 0.78, 0.22], [0.22, 0.62, 0.38], [0.08, 0.03, 0.00]),  // blue Giemsa, bluish background
        ([0.55, 1.10, 0.38], [0.04, 0.72, 0.50], [0.00, 0.06, 0.04]),  // magenta Wright
        ([0.70, 0.85, 0.80], [0.08, 0.50, 0.85], [0.00, 0.05, 0.18]),  // warm (yellow-cast) camera, brownish nuclei
        ([0.50, 0.62, 0.22], [0.08, 0.45, 0.35], [0.01, 0.01, 0.01]),  // faint, washed-out stain
        ([1.00, 1.20, 0.55], [0.25, 0.95, 0.72], [0.03, 0.07, 0.05]),  // over-stained, dark purple
    ];

    /// <summary>The style of center <paramref name="index"/>; the family order is shuffled by the set's seed.</summary>
    public static CenterStyle Create(int index, int[] familyOrder, Random random)
    {
        var family = Families[familyOrder[index % familyOrder.Length]];
        double[] Jitter(double[] v, double amount) => v.Select(x => Math.Max(0, x * (1 + amount * (2 * random.NextDouble() - 1)))).ToArray();
        double Uniform(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        // Beyond the families' count, centers also mix two families, so they still differ.
        var h = family.H; var e = family.E; var bg = family.Bg;
        if (index >= Families.Length)
        {
            var other = Families[random.Next(Families.Length)];
            var t = random.NextDouble();
            h = h.Zip(other.H, (a, b) => a + t * (b - a)).ToArray();
            e = e.Zip(other.E, (a, b) => a + t * (b - a)).ToArray();
        }
        return new CenterStyle(
            Name: $"center-{(char)('a' + index % 26)}{(index >= 26 ? (index / 26).ToString(CultureInfo.InvariantCulture) : "")}",
            NuclearStain: Jitter(h, 0.12),
            EosinStain: Jitter(e, 0.12),
            BackgroundOd: Jitter(bg, 0.3),
            Gain: [Uniform(0.93, 1.02), Uniform(0.93, 1.02), Uniform(0.93, 1.02)],
            StainScale: Uniform(0.8, 1.2),
            Gamma: Uniform(0.85, 1.15),
            Vignette: Uniform(0.0, 0.22),
            BlurSigma: Uniform(0.25, 1.2),
            NoiseSigma: Uniform(1.0, 6.0));
    }

    public static int FamilyCount => Families.Length;

    /// <summary>
    /// The families in the order centers take them: a random first one, then always the family farthest (in
    /// stain and background) from those already taken, so that even two or three centers differ strongly.
    /// </summary>
    public static int[] DistinctFamilyOrder(Random random)
    {
        double Distance(int a, int b) => Math.Sqrt(
            Families[a].H.Concat(Families[a].E).Concat(Families[a].Bg)
                .Zip(Families[b].H.Concat(Families[b].E).Concat(Families[b].Bg), (x, y) => (x - y) * (x - y)).Sum());
        var order = new List<int> { random.Next(Families.Length) };
        while (order.Count < Families.Length)
        {
            // A little noise in the choice, so that seeds also vary the order among near-equal candidates.
            var next = Enumerable.Range(0, Families.Length).Where(f => !order.Contains(f))
                .MaxBy(f => order.Min(o => Distance(f, o)) * (1 + 0.1 * random.NextDouble()));
            order.Add(next);
        }
        return order.ToArray();
    }
}
