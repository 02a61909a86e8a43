using Sada.Core.Algorithms;

namespace Sada.Core.Tests.Algorithms;

/// <summary>Validation keyed by field: the new-run form shows each message next to the field it names.</summary>
public class AlgorithmConfigTests
{
    [Fact]
    public void The_method_defaults_are_valid() => Assert.Empty(new AlgorithmConfig().Validate());

    [Theory]
    [InlineData(nameof(AlgorithmConfig.ImageSize))]
    [InlineData(nameof(AlgorithmConfig.LaWeight))]
    [InlineData(nameof(AlgorithmConfig.CropScaleMax))]
    [InlineData(nameof(AlgorithmConfig.LaHiddenDim))]
    [InlineData(nameof(AlgorithmConfig.LaOutputDim))]
    [InlineData(nameof(AlgorithmConfig.SwadNTolerance))]
    [InlineData(nameof(AlgorithmConfig.SwadToleranceRatio))]
    public void A_bad_value_is_reported_under_its_own_field_only(string field)
    {
        var config = field switch
        {
            nameof(AlgorithmConfig.ImageSize) => new AlgorithmConfig { ImageSize = 2000 },
            nameof(AlgorithmConfig.LaWeight) => new AlgorithmConfig { LaWeight = -1 },
            nameof(AlgorithmConfig.CropScaleMax) => new AlgorithmConfig { CropScaleMax = 1.5 },
            nameof(AlgorithmConfig.LaHiddenDim) => new AlgorithmConfig { LaHiddenDim = 0 },
            nameof(AlgorithmConfig.LaOutputDim) => new AlgorithmConfig { LaOutputDim = 0 },
            nameof(AlgorithmConfig.SwadNTolerance) => new AlgorithmConfig { SwadNTolerance = 0 },
            _ => new AlgorithmConfig { SwadToleranceRatio = -0.1 },
        };

        var error = Assert.Single(config.Validate());
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Negative_steps_name_steps_and_the_stage_switch_they_leave_behind()
    {
        var errors = new AlgorithmConfig { Steps = -5 }.Validate();
        Assert.Equal([nameof(AlgorithmConfig.Steps), nameof(AlgorithmConfig.Stage1Steps)], errors.Select(e => e.Field));
        Assert.Equal("must be at least 1", errors[0].Message);
    }

    [Fact]
    public void A_crop_minimum_above_the_maximum_is_the_minimums_error()
    {
        var error = Assert.Single(new AlgorithmConfig { CropScaleMin = 0.9, CropScaleMax = 0.8 }.Validate());
        Assert.Equal(nameof(AlgorithmConfig.CropScaleMin), error.Field);
        Assert.Equal("must be above 0 and at most CropScaleMax", error.Message);
    }

    [Fact]
    public void ImageNet_is_the_default_start_and_a_backbone_without_built_in_weights_needs_a_file_or_scratch()
    {
        var defaults = new AlgorithmConfig();
        Assert.Equal(("resnet18-imagenet", BackboneInit.ImageNet, "ImageNet"), (defaults.Backbone, defaults.Init, defaults.InitDescription));

        var error = Assert.Single(new AlgorithmConfig { Backbone = "resnet50" }.Validate());
        Assert.Equal(nameof(AlgorithmConfig.Init), error.Field);
        Assert.Contains("resnet50 has no built-in ImageNet weights", error.Message);
        Assert.Empty(new AlgorithmConfig { Backbone = "resnet50", Init = BackboneInit.Scratch }.Validate());

        var file = Path.GetTempFileName();
        try
        {
            Assert.Empty(new AlgorithmConfig { Backbone = "resnet50", Weights = file }.Validate());
            Assert.Equal($"ImageNet ({Path.GetFileName(file)})", new AlgorithmConfig { Backbone = "resnet50", Weights = file }.InitDescription);
            var builtIn = Assert.Single(new AlgorithmConfig { Weights = file }.Validate());
            Assert.Equal((nameof(AlgorithmConfig.Weights), "resnet18-imagenet takes its ImageNet weights from its package; leave Weights empty"), (builtIn.Field, builtIn.Message));
            var scratch = Assert.Single(new AlgorithmConfig { Backbone = "resnet18", Init = BackboneInit.Scratch, Weights = file }.Validate());
            Assert.Equal(nameof(AlgorithmConfig.Weights), scratch.Field);
        }
        finally { File.Delete(file); }
    }
}
