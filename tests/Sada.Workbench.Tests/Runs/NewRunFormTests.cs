using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>The form's state without a page: presets, the grid it would queue, and where refusals are shown.</summary>
public class NewRunFormTests
{
    static readonly DatasetChoice Cells = new(1, "cells", ["acevedo", "raabin", "zheng"]);

    [Fact]
    public void The_full_ablation_preset_holds_out_every_center_with_three_seeds_and_the_erm_preset_keeps_them()
    {
        var form = new NewRunForm { Dataset = Cells, HeldOut = ["raabin"] };
        form.Apply(NewRunPreset.FullAblation);
        Assert.True(form.IsStudy);
        Assert.Equal(Cells.Centers, form.HeldOut);
        Assert.Equal([0, 1, 2], form.ParsedSeeds);
        Assert.Equal("full ablation on cells", form.StudyName);
        Assert.Equal(6 * 3 * 3, form.RunCount);
        Assert.All(form.Plans(), p => Assert.Equal(2, p.TrainingCenters));

        form.Apply(NewRunPreset.Erm);
        Assert.False(form.IsStudy);
        Assert.Equal(new AlgorithmConfig { Algorithm = "erm" }, form.Config);
        Assert.Equal(3 * 3, form.RunCount);
    }

    [Fact]
    public void A_refusal_is_filed_under_the_field_it_names_until_a_value_changes()
    {
        var form = new NewRunForm { Dataset = Cells, HeldOut = ["zheng"] };
        Assert.True(form.IsValid);
        form.Refused(new RunRequestException(RequestErrorKind.Invalid, new Dictionary<string, string[]>
        {
            ["variants[2].config.Weights"] = ["Weights file not found: w.pth"],
            ["config.K"] = ["K must be between 1 and 16"],
            ["variants[4].config"] = ["the same config as variant 'SADA'"],
            ["heldOut"] = ["'lisc' is not a center of dataset 'cells'"],
            ["study"] = ["no study #3"],
        }));

        Assert.Equal(new Dictionary<string, string>
        {
            ["Weights"] = "Weights file not found: w.pth", ["K"] = "K must be between 1 and 16", ["variants"] = "the same config as variant 'SADA'",
            ["heldOut"] = "'lisc' is not a center of dataset 'cells'", ["form"] = "no study #3",
        }, form.Errors);
        form.Seeds = "1";
        Assert.True(form.IsValid);
    }
}
