using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Imaging;
using Sada.Core.Runtime;
using Sada.Core.Stain;
using Sada.Core.Synthetic;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Stain;

public class StainTransferPreviewTests
{
    public StainTransferPreviewTests() => TorchRuntime.Initialize("cpu", 1);

    static readonly SyntheticBloodCells Set = new(new SyntheticSetOptions(Centers: 3, PerCenter: 12, Size: 40, Seed: 5));

    static List<DecodedImage> Images(int center) =>
        Set.Cells.Where(c => c.Center == center).Select(c => new DecodedImage(40, 40, Set.RenderRgb(c))).ToList();

    [Fact]
    public void The_preview_is_the_augmenters_transferred_view_without_jitter()
    {
        var source = Images(0)[3];
        var target = Images(2)[5];
        const int side = 32;

        var preview = Assert.Single(StainTransferPreview.Transfer(source, [target], side));

        // The augmenter on the same two cells with k = 2 and no jitter: two stain clusters, so cell 0's only
        // transferred view is rendered with cell 1's stains.
        var config = new AlgorithmConfig { K = 2, JitterBrightness = 0, JitterContrast = 0, JitterSaturation = 0, JitterHue = 0 };
        using var scope = NewDisposeScope();
        var batch = CellTransforms.EvalBatch([source, target], side);
        var (views, _) = new StainAugmenter(config).Augment(batch, zeros(2, dtype: int64), new Generator(3));
        var mean = tensor(ImageNetNormalization.Mean).view(3, 1, 1);
        var std = tensor(ImageNetNormalization.Std).view(3, 1, 1);
        var augmented = views[1].mul(std).add(mean).clamp(0, 1);                              // (3, S, S) in [0, 1]
        var shown = tensor(preview.Rgb, [side, side, 3]).permute(2, 0, 1).to(float32).div(255f);

        Assert.Equal(side, preview.Width);
        // Bytes round to 1/255: half of that, and a little for the normalisation's float error.
        Assert.True((augmented - shown).abs().max().item<float>() <= 0.5f / 255 + 1e-4f);
        Assert.True((augmented - batch[0]).abs().max().item<float>() > 0.05f, "the transfer left the cell unchanged");
    }

    [Fact]
    public void Each_transfer_moves_the_cell_toward_the_target_centers_fingerprint()
    {
        var source = Images(0)[1];
        var prints = Enumerable.Range(0, 3).Select(c => StainFingerprint.Compute(Images(c))).ToList();
        var targets = new[] { 1, 2 }.Select(c =>
        {
            var candidates = Images(c).Take(6).ToList();
            return candidates[StainTransferPreview.Representative(candidates, prints[c])];
        }).ToList();

        var transferred = StainTransferPreview.Transfer(source, targets, 40);

        Assert.Equal(2, transferred.Count);
        var before = StainTransferPreview.Descriptors([source])[0];
        var after = StainTransferPreview.Descriptors(transferred);
        for (int j = 0; j < 2; j++)
        {
            var print = prints[j + 1];
            double from = StainTransferPreview.Distance(before, print), to = StainTransferPreview.Distance(after[j], print);
            // Nearer the target center than the source was, and nearer it than the source's own center.
            double own = StainTransferPreview.Distance(after[j], prints[0]);
            Assert.True(to < from && to < own, $"center {j + 1}: the source sat {from:F3} from its fingerprint, the transfer {to:F3} (and {own:F3} from the source's center)");
            Assert.NotEqual(source.Rgb, transferred[j].Rgb);
        }
    }

    [Fact]
    public void The_representative_is_the_candidate_nearest_the_fingerprint()
    {
        var candidates = Images(1).Take(5).ToList();
        var print = StainFingerprint.Compute(candidates);
        var descriptors = StainTransferPreview.Descriptors(candidates);
        var distances = descriptors.Select(d => StainTransferPreview.Distance(d, print)).ToList();

        Assert.Equal(distances.IndexOf(distances.Min()), StainTransferPreview.Representative(candidates, print));
        // A cell of another center is never nearer than the center's own cells.
        var mixed = candidates.Take(1).Prepend(Images(2)[0]).ToList();
        Assert.Equal(1, StainTransferPreview.Representative(mixed, print));
    }
}
