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

    /// <summary>Whether a 4-d tensor is stored channels-last (channels adjacent in memory).</summary>
    public static bool Is(Tensor t) =>
        t.dim() == 4 && t.stride(1) == 1 && t.stride(3) == t.shape[1] && t.stride(2) == t.shape[1] * t.shape[3];

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
