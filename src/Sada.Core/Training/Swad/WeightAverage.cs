using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Training.Swad;

/// <summary>
/// A running mean of a network's parameters, kept on the CPU (SWAD's AveragedModel). Each added model
/// counts once, whether it is one step's weights or a whole segment's average.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    readonly List<Tensor> _mean = [];

    public int Count { get; private set; }
    public int StartStep { get; private set; } = -1;
    public int EndStep { get; private set; } = -1;
    /// <summary>Validation loss at the end of the segment (set by the trainer at an evaluation).</summary>
    public double EndLoss { get; set; }

    public void Add(nn.Module network, int step) => Add(network.parameters().Select(p => (Tensor)p), step, step);

    public void Add(WeightAverage other) => Add(other._mean, other.StartStep, other.EndStep);

    void Add(IEnumerable<Tensor> parameters, int start, int end)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        int i = 0;
        foreach (var p in parameters)
        {
            var value = p.detach().cpu().to(ScalarType.Float32);
            if (Count == 0)
                _mean.Add(value.clone().DetachFromDisposeScope());
            else
                _mean[i].add_((value - _mean[i]).div_(Count + 1)); // mean += (p - mean) / (n + 1)
            i++;
        }
        StartStep = StartStep < 0 ? start : Math.Min(StartStep, start);
        EndStep = Math.Max(EndStep, end);
        Count++;
    }

    /// <summary>Writes the averaged parameters into <paramref name="network"/> (same architecture).</summary>
    public void CopyTo(nn.Module network)
    {
        if (Count == 0) throw new InvalidOperationException("Nothing was averaged.");
        using var noGrad = torch.no_grad();
        int i = 0;
        foreach (var p in network.parameters()) p.copy_(_mean[i++]);
    }

    public void Dispose()
    {
        foreach (var t in _mean) t.Dispose();
        _mean.Clear();
    }
}
