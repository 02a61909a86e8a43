using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Losses;

/// <summary>
/// The supervised contrastive loss (Khosla et al.), as the released SADA code uses it: every view is an anchor,
/// its positives are the other views of its class, and it never contrasts with itself.
/// </summary>
public static class SupConLoss
{
    /// <param name="projections">Projector outputs (N, D); L2-normalised here (the reference normalises inside, its golden z is raw).</param>
    /// <param name="labels">(N) class of every row.</param>
    /// <param name="temperature">tau.</param>
    public static Tensor Compute(Tensor projections, Tensor labels, double temperature)
    {
        var n = projections.shape[0];
        if (labels.shape[0] != n) throw new ArgumentException("one label per row", nameof(labels));

        using var scope = NewDisposeScope();
        var z = nn.functional.normalize(projections, p: 2, dim: 1);
        var logits = z.matmul(z.t()) / temperature;
        // Numerical guard only: the shift cancels in the log-probabilities.
        logits = logits - logits.amax([1], keepdim: true).detach();

        var notSelf = ones(n, n, dtype: z.dtype, device: z.device) - eye(n, dtype: z.dtype, device: z.device);
        var positives = labels.unsqueeze(1).eq(labels.unsqueeze(0)).to(z.dtype) * notSelf;

        var logDenominator = (logits.exp() * notSelf).sum(1, keepdim: true).log();
        var logProb = logits - logDenominator;
        var meanLogProbPos = (positives * logProb).sum(1) / (positives.sum(1) + 1e-6);
        return (-meanLogProbPos.mean()).MoveToOuterDisposeScope();
    }
}
