using Sada.Core.Data;
using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

public class LeaveOneCenterOutTests
{
    internal static MultiCenterDataset Dataset(int centers, int perClass, int classes)
    {
        var samples = new List<CellSample>();
        for (int c = 0; c < centers; c++)
            for (int k = 0; k < classes; k++)
                for (int i = 0; i < perClass; i++)
                    samples.Add(new CellSample(c, k, $"c{c}/k{k}/{i}.png"));
        return new MultiCenterDataset(
            Enumerable.Range(0, centers).Select(c => $"center{c}").ToList(),
            Enumerable.Range(0, classes).Select(k => $"class{k}").ToList(),
            samples);
    }

    [Fact]
    public void Held_out_center_is_tested_whole_and_others_split_80_20_per_class()
    {
        var data = Dataset(3, 10, 2);
        var split = LeaveOneCenterOut.Split(data, "CENTER1", 0.2, seed: 0);
        Assert.Equal(1, split.HeldOut);
        Assert.Equal(20, split.Test.Count);
        Assert.All(split.Test, s => Assert.Equal(1, s.Center));
        Assert.Equal([0, 2], split.Training.Select(t => t.Center));
        foreach (var center in split.Training)
        {
            Assert.Equal(16, center.Train.Count);
            Assert.Equal(4, center.Validation.Count);
            Assert.Equal(2, center.Validation.Count(s => s.Label == 0));
            Assert.Empty(center.Train.Intersect(center.Validation));
            Assert.All(center.Train.Concat(center.Validation), s => Assert.Equal(center.Center, s.Center));
        }
    }

    [Fact]
    public void Split_is_seeded_and_independent_of_listing_order()
    {
        var data = Dataset(3, 10, 2);
        var shuffled = data with { Samples = data.Samples.Reverse().ToList() };
        var a = LeaveOneCenterOut.Split(data, "center0", 0.2, 7);
        var b = LeaveOneCenterOut.Split(shuffled, "center0", 0.2, 7);
        var c = LeaveOneCenterOut.Split(data, "center0", 0.2, 8);
        Assert.Equal(a.Training[0].Validation.Select(s => s.Path).Order(), b.Training[0].Validation.Select(s => s.Path).Order());
        Assert.NotEqual(a.Training[0].Validation.Select(s => s.Path).Order(), c.Training[0].Validation.Select(s => s.Path).Order());
    }

    [Fact]
    public void A_single_cell_class_stays_in_training()
    {
        var data = Dataset(2, 1, 3);
        var split = LeaveOneCenterOut.Split(data, "center1", 0.2, 0);
        Assert.Equal(3, split.Training[0].Train.Count);
        Assert.Empty(split.Training[0].Validation);
    }

    [Fact]
    public void Unknown_held_out_center_names_the_centers()
    {
        var e = Assert.Throws<ArgumentException>(() => LeaveOneCenterOut.Split(Dataset(2, 2, 2), "nowhere", 0.2, 0));
        Assert.Contains("center0, center1", e.Message);
    }
}
