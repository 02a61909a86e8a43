using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Stain transfer between images (docs/SADA-METHOD.md, SBA step 4): image s re-rendered with the stains of
/// image t, OD = W_t H_s' + B_t, where each stain row of H_s is rescaled by (q99(H_t row) + eps) / (q99(H_s row) + eps)
/// so the target's concentration range is kept.
/// </summary>
public static class DomainTransfer
{
    public const double ConcentrationQuantile = 0.99;
    public const double Eps = 1e-6;

    /// <summary>q99 of every stain row of every image, (N, r): computed once and shared by all pairs.</summary>
    public static Tensor ConcentrationScale(Tensor h) => Quantile.Of(h, ConcentrationQuantile);

    /// <summary>
    /// Transferred optical density for every image s and each of its m targets, (N, m, 3, P).
    /// </summary>
    /// <param name="targets">(N, m) long: row s lists the images whose stains s is rendered with.</param>
    /// <param name="q99">Optional precomputed <see cref="ConcentrationScale"/> of <c>stains.H</c>.</param>
    public static Tensor TransferOd(StainSeparation stains, Tensor targets, Tensor? q99 = null)
    {
        using var scope = NewDisposeScope();
        long n = stains.Images, r = stains.Stains, p = stains.H.shape[2], m = targets.shape[1];
        if (targets.shape[0] != n) throw new ArgumentException($"targets must have one row per image ({n}), got {targets.shape[0]}", nameof(targets));
        var qe = (q99 ?? ConcentrationScale(stains.H)) + Eps;                        // (N, r)
        var t = targets.flatten().to(int64);                                          // (N m)
        // The rescaling of H_s's rows is folded into W_t's columns: (W_t diag(ratio)) H_s = W_t (diag(ratio) H_s),
        // so H is never copied per pair and all pairs of an image share one product with its H.
        var ratio = qe.index_select(0, t).view(n, m, 1, r).div_(qe.view(n, 1, 1, r));
        var w = stains.W.index_select(0, t).view(n, m, 3, r).mul_(ratio).view(n, m * 3, r);
        var b = stains.B.index_select(0, t).view(n, m * 3, 1);
        var od = w.bmm(stains.H).add_(b);                                                // (N, 3m, P)
        return od.view(n, m, 3, p).MoveToOuterDisposeScope();
    }

    /// <summary>Transferred images in RGB, (N, m, 3, P): exp(-max(OD, eps)).</summary>
    public static Tensor TransferRgb(StainSeparation stains, Tensor targets, Tensor? q99 = null)
    {
        var od = TransferOd(stains, targets, q99);
        return od.clamp_min_(OpticalDensity.Eps).neg_().exp_();
    }

    /// <summary>
    /// For every image s and every cluster j other than its own, one random member of j, in cluster order: (N, k - 1) long.
    /// Degenerate batches still give every image exactly k - 1 targets: a cluster index with no members (fewer
    /// clusters than k, e.g. when the batch has fewer distinct images than k) falls back to a random image
    /// other than s (s itself only when the batch is a single image).
    /// </summary>
    public static Tensor PickTargets(int[] clusterOfImage, int k, Generator? generator = null)
    {
        int n = clusterOfImage.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var members = new List<int>[Math.Max(k, clusterOfImage.DefaultIfEmpty(-1).Max() + 1)];
        for (int j = 0; j < members.Length; j++) members[j] = [];
        for (int i = 0; i < n; i++) members[clusterOfImage[i]].Add(i);

        float[] u;
        using (var draws = rand(new long[] { n, Math.Max(k - 1, 0) }, generator: generator))
            u = draws.data<float>().ToArray();
        var picked = new long[n * (k - 1)];
        for (int s = 0; s < n; s++)
        {
            int slot = 0;
            for (int j = 0; j < k; j++)
            {
                if (j == clusterOfImage[s]) continue;
                if (slot == k - 1) break;
                float x = u[s * (k - 1) + slot];
                picked[s * (k - 1) + slot] = members[j].Count > 0
                    ? members[j][Pick(x, members[j].Count)]
                    : OtherThan(s, n, x);
                slot++;
            }
        }
        return tensor(picked, new long[] { n, k - 1 });
    }

    static int Pick(float u, int count) => Math.Min((int)(u * count), count - 1);

    /// <summary>A uniformly chosen image index other than s.</summary>
    static long OtherThan(int s, int n, float u)
    {
        if (n == 1) return s;
        int i = Pick(u, n - 1);
        return i >= s ? i + 1 : i;
    }
}
