using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;
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

    [Fact]
    public void A_rows_in_place_edit_stays_its_own_while_shared_settings_reach_every_row()
    {
        var form = new NewRunForm { Dataset = Cells, HeldOut = ["raabin"] };
        form.Apply(NewRunPreset.SadaVsErm);
        Assert.Equal(["SADA", "ERM"], form.Variants.Select(v => v.Name));
        Assert.Equal(StudyPresets.SadaVsErmStudy("", "").Variants, form.Variants);

        form.Editing = 1;
        form.EditConfig(form.EditedConfig with { K = 5, Steps = 30 });
        form.Editing = null;
        form.EditConfig(form.Config with { Steps = 20, Stage1Steps = 10, BatchPerCenter = 8 });

        Assert.Equal((20, 8, 3), (form.Variants[0].Config.Steps, form.Variants[0].Config.BatchPerCenter, form.Variants[0].Config.K));
        Assert.Equal((30, 8, 5), (form.Variants[1].Config.Steps, form.Variants[1].Config.BatchPerCenter, form.Variants[1].Config.K));
        Assert.Equal("erm", form.Variants[1].Config.Algorithm);

        form.AddRow("no-la");
        form.AddRow("no-la");
        Assert.Equal(["SADA", "ERM", "SADA w/o LA", "SADA w/o LA 2"], form.Variants.Select(v => v.Name));
        Assert.Equal(0, form.Variants[2].Config.LaWeight);
        // Two rows of one config: the second is refused on its row, as the study service would.
        Assert.Equal("the same config as variant 'SADA w/o LA'", form.Errors[NewRunForm.RowConfigKey(3)]);
        form.RemoveRow(3);
        form.RenameRow(2, "SADA");
        Assert.Equal("the name 'SADA' is used twice (row 1 has it)", form.Errors[NewRunForm.RowNameKey(2)]);
        form.RenameRow(2, "no LA");
        Assert.True(form.IsValid, string.Join("; ", form.Errors));
        // The preset held out every center with seeds 0, 1, 2.
        Assert.Equal(3 * 3 * 3, form.RunCount);

        form.Seeds = "n=3";
        Assert.Equal([0, 1, 2], form.ParsedSeeds);
        form.Seeds = "3 seeds";
        Assert.Equal([0, 1, 2], form.ParsedSeeds);
        form.RemoveRow(0);
        form.RemoveRow(0);
        form.RemoveRow(0);
        Assert.Contains("the grid is empty", form.Errors[NewRunForm.VariantsKey]);
    }
}
