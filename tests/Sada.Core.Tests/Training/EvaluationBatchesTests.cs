using System.Globalization;
using Sada.Core.Data;
using Sada.Core.Imaging;
using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

public class EvaluationBatchesTests
{
    static DecodedImage Flat(byte value) => new(20, 20, Enumerable.Repeat(value, 20 * 20 * 3).ToArray());

    [Fact]
    public void Batches_come_in_order_each_fetched_once_and_resized_as_evaluation_does()
    {
        var cells = Enumerable.Range(0, 7).Select(i => new CellSample(0, 0, $"cell{i}")).ToList();
        var fetched = new List<string>();
        using var batches = new EvaluationBatches(cells, 3, c => { lock (fetched) fetched.Add(c.Path); return Flat((byte)(10 * int.Parse(c.Path[4..], CultureInfo.InvariantCulture))); }, 16);
        var sizes = new List<long>();
        for (int start = 0; start < cells.Count; start += 3)
        {
            using var x = batches.Take(start);
            sizes.Add(x.shape[0]);
            Assert.Equal([x.shape[0], 3L, 16, 16], x.shape);
            for (int i = 0; i < x.shape[0]; i++)
                Assert.Equal(10 * (start + i) / 255f, x[i, 0, 5, 5].item<float>(), 5);
        }
        Assert.Equal([3L, 3, 1], sizes);
        // The next batch was made ahead, never twice; nothing past the end.
        Assert.Equal(cells.Select(c => c.Path).Order(), fetched.Order());
    }

    [Fact]
    public void Asking_out_of_order_still_gives_the_asked_batch()
    {
        var cells = Enumerable.Range(0, 6).Select(i => new CellSample(0, 0, $"cell{i}")).ToList();
        using var batches = new EvaluationBatches(cells, 2, c => Flat((byte)(10 * int.Parse(c.Path[4..], CultureInfo.InvariantCulture))), 8);
        using (batches.Take(0)) { }
        using var x = batches.Take(4);
        Assert.Equal(40 / 255f, x[0, 0, 0, 0].item<float>(), 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Take(6));
    }
}
