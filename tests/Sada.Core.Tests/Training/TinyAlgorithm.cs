using Sada.Core.Algorithms;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

/// <summary>A test double for the trainer: pooled colours into a linear classifier, trained with cross-entropy.</summary>
sealed class TinyAlgorithm : IAlgorithm
{
    readonly nn.Module<Tensor, Tensor> _net;
    public Func<int, double?>? PoisonAt { get; init; }
    /// <summary>A loss name no code knows, reported at every step (twice the cross-entropy), to follow it down every path.</summary>
    public string? ExtraLoss { get; init; }
    /// <summary>Steps before this one are stage 1 and report a "stage1_term" (half the cross-entropy); null: stage 2 throughout.</summary>
    public int? Stage1Until { get; init; }

    public TinyAlgorithm(int numClasses, double lr = 0.05)
    {
        _net = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(3 * 16, numClasses));
        Optimizer = optim.Adam(_net.parameters(), lr);
    }

    public string Name => "tiny";
    public nn.Module Network => _net;
    public optim.Optimizer Optimizer { get; }
    public int StageAt(int step) => Stage1Until is int until && step < until ? 1 : 2;

    public IReadOnlyDictionary<string, double> Update(MultiCenterBatch batch, int step, CancellationToken cancellation = default)
    {
        // Noise from the global generator, so the test sees whether the trainer reseeds it per step.
        var x = batch.AllImages() + 0.01 * randn(batch.AllImages().shape);
        var loss = nn.functional.cross_entropy(_net.call(x), batch.AllLabels());
        Optimizer.zero_grad();
        loss.backward();
        Optimizer.step();
        double value = loss.item<float>();
        if (PoisonAt?.Invoke(step) is { } poison) value = poison;
        var losses = new Dictionary<string, double> { ["total"] = value, ["ce"] = value };
        if (ExtraLoss is { } extra) losses[extra] = 2 * value;
        if (StageAt(step) == 1) losses["stage1_term"] = value / 2;
        return losses;
    }

    public Tensor Predict(Tensor images) => _net.call(images);
    public Tensor Features(Tensor images) => images.mean([2, 3]);
    public void Dispose() => _net.Dispose();
}
