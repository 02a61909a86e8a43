using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sada.Core.Models;

/// <summary>
/// The channels-last memory format (NHWC in memory, NCHW in shape), in which oneDNN convolves without reordering every
/// input, output and gradient to and from its blocked layout. TorchSharp 0.107 has no memory_format argument, but a
/// tensor permuted to NHWC, made contiguous and permuted back carries exactly the strides libtorch recognises as
/// channels-last, and convolution, batch norm, ReLU, pooling and addition keep that format through the network.
/// </summary>
public static class ChannelsLast
{
    /// <summary>The same values as <paramref name="nchw"/> (N, C, H, W), stored channels-last.</summary>
    public static Tensor Of(Tensor nchw) => nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// Whether a 4-d tensor is stored channels-last (channels adjacent in memory). As in libtorch, the stride of a
    /// dimension of size 1 does not matter (a 1 x 1 kernel's weight is channels-last whatever its strides there).
    /// </summary>
    public static bool Is(Tensor t)
    {
        if (t.dim() != 4) return false;
        long c = t.shape[1], h = t.shape[2], w = t.shape[3];
        long[] expected = [c * h * w, 1, c * w, c];
        for (int d = 0; d < 4; d++)
            if (t.shape[d] > 1 && t.stride(d) != expected[d]) return false;
        return true;
    }

    /// <summary>
    /// Re-stores each channels-last tensor of <paramref name="tensors"/> contiguously (NCHW) in place until the returned
    /// scope is disposed, then channels-last again. TorchSharp's save and load read and write a tensor's bytes directly,
    /// which needs contiguous storage; the tensors keep their identity (parameters stay the optimiser's), only their
    /// storage is swapped. Nothing is done for a tensor already contiguous.
    /// </summary>
    public static IDisposable StoredContiguously(IEnumerable<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var swapped = new List<Tensor>();
        using (no_grad())
            foreach (var t in tensors)
            {
                if (t.dim() != 4 || t.is_contiguous() || !Is(t)) continue;
                using var nchw = t.contiguous();
                t.set_(nchw);
                swapped.Add(t);
            }
        return new Restore(swapped);
    }

    sealed class Restore(List<Tensor> swapped) : IDisposable
    {
        public void Dispose()
        {
            using (no_grad())
                foreach (var t in swapped)
                {
                    using var nhwc = Of(t);
                    t.set_(nhwc);
                }
            swapped.Clear();
        }
    }

    /// <summary>Re-stores every convolution weight of <paramref name="module"/> channels-last; call before an optimiser takes the parameters.</summary>
    public static void Convert(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var conv in module.modules().OfType<Conv2d>())
        {
            var old = conv.weight ?? throw new InvalidOperationException("A convolution without weights cannot be converted.");
            if (Is(old)) continue;
            conv.weight = new Parameter(Of(old.detach()), old.requires_grad);
            old.Dispose();
        }
    }
}
