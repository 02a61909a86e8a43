using Sada.Core.Algorithms;
using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

/// <summary>The queue-time memory estimate against peak RSS measured with real <c>sada train</c> runs on CPU (3 training centers, K = 3), in MiB.</summary>
public class RunMemoryEstimateTests
{
    [Theory]
    [InlineData("resnet18", 64, 8, 748)]
    [InlineData("resnet18", 128, 8, 1416)]
    [InlineData("resnet18", 64, 16, 912)]
    [InlineData("resnet18", 224, 4, 2002)]
    [InlineData("resnet50", 64, 8, 1770)]
    [InlineData("resnet50", 128, 4, 2607)]
    [InlineData("resnet50", 224, 2, 3279)]
    public void The_estimate_is_within_ten_percent_of_the_measured_peak(string backbone, int size, int batch, int measuredMiB)
    {
        var config = new AlgorithmConfig { Backbone = backbone, ImageSize = size, BatchPerCenter = batch };
        var estimate = RunMemoryEstimate.Of(config, trainingCenters: 3);
        Assert.Equal(batch * 3 * 3, estimate.ViewsPerStep);
        Assert.InRange(estimate.Bytes / (double)(1 << 20), measuredMiB * 0.9, measuredMiB * 1.1);
    }

    [Fact]
    public void The_papers_network_at_the_default_size_needs_more_than_a_24_GB_machine_and_lighter_configs_less()
    {
        // The paper's ResNet-50 at the method's 224 px and 32 cells per center.
        var paper = new AlgorithmConfig { Backbone = "resnet50", Init = BackboneInit.Scratch };
        var full = RunMemoryEstimate.Of(paper, trainingCenters: 3);
        Assert.Equal(288, full.ViewsPerStep);
        Assert.True(full.Bytes > 24L << 30, $"{full.Bytes >> 20} MB");
        Assert.True(RunMemoryEstimate.Of(new AlgorithmConfig { Backbone = "resnet18", ImageSize = 96, BatchPerCenter = 16 }, 3).Bytes < 4L << 30);
        // One view per cell without SADA's feature stage; the decoded images add their bytes.
        Assert.Equal(96, RunMemoryEstimate.Of(new AlgorithmConfig { Algorithm = "erm" }, 3).ViewsPerStep);
        Assert.Equal(96, RunMemoryEstimate.Of(new AlgorithmConfig { Stage1Steps = 0 }, 3).ViewsPerStep);
        Assert.Equal(full.Bytes + 1000, RunMemoryEstimate.Of(paper, 3, decodedImageBytes: 1000).Bytes);
    }
}
