using Sada.Core.Augmentation;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Sada.Core.Models.ImageNet;

/// <summary>
/// A fixed (untrained) input transform in front of conv1 that turns the workbench's input, RGB normalised with the
/// ImageNet mean and std as for every backbone, into what the featurizer's network was trained on: BGR, 0-255, minus
/// its mean image. Exact, unlike folding the affine part into conv1, which differs on conv1's zero-padded border.
/// At sizes other than the mean image's (224), the mean image is resized bilinearly (half-pixel centres, no
/// antialiasing, as ONNX Resize's linear mode), as a cell image of that size is.
/// </summary>
public sealed class ImageNetInputAdapter : Module<Tensor, Tensor>
{
    const string Scale = "scale", Shift = "shift", Mean = "mean_image";
    (long H, long W, Tensor Mean)? _resized;

    public ImageNetInputAdapter(float[] meanImage, long[] dims) : base(nameof(ImageNetInputAdapter))
    {
        // RGB normalised n to RGB 0-255: 255 * (std * n + mean), per channel; reversed to BGR after.
        // Buffers, not parameters, and not persistent: they come from the package, so checkpoints do not carry them.
        register_buffer(Scale, tensor(ImageNetNormalization.Std.Select(s => 255f * s).ToArray()).view(1, 3, 1, 1), persistent: false);
        register_buffer(Shift, tensor(ImageNetNormalization.Mean.Select(m => 255f * m).ToArray()).view(1, 3, 1, 1), persistent: false);
        register_buffer(Mean, tensor(meanImage, dims), persistent: false);
    }

    /// <summary>Reads the mean image from the featurizer's preprocessing ONNX.</summary>
    public static ImageNetInputAdapter FromPackage(MlNetResNetPackage.Files files)
    {
        var (values, dims) = MeanImage.Read(files.Preprocess);
        return new ImageNetInputAdapter(values, dims);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var rgb = input * Buffer(Scale) + Buffer(Shift);
        var bgr = rgb.flip(1);
        return (bgr - MeanAt(input.shape[2], input.shape[3], input.device)).MoveToOuterDisposeScope();
    }

    Tensor Buffer(string name) => get_buffer(name) ?? throw new InvalidOperationException($"buffer {name} is missing");

    /// <summary>The mean image at the input's size, resized once per size and device.</summary>
    Tensor MeanAt(long h, long w, Device device)
    {
        var mean = Buffer(Mean);
        if (mean.shape[2] == h && mean.shape[3] == w) return mean;
        if (_resized is { } r && r.H == h && r.W == w && r.Mean.device == device) return r.Mean;
        _resized?.Mean.Dispose();
        var resized = functional.interpolate(mean, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        resized.DetachFromDisposeScope();
        _resized = (h, w, resized);
        return resized;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _resized?.Mean.Dispose();
        base.Dispose(disposing);
    }
}
