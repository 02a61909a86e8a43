using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Imaging;
using Sada.Data.Datasets;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Datasets;

public class StainExplorerTests(DatasetFixture fixture) : IClassFixture<DatasetFixture>
{
    [Fact]
    public async Task The_preview_gives_one_image_per_other_center_unlike_the_source_and_nearer_that_centers_fingerprint()
    {
        var browser = fixture.Services.GetRequiredService<DatasetBrowser>();
        var source = (await browser.CellsAsync(fixture.DatasetId, "center-a", null, 2, 1)).Single();

        var preview = await fixture.Services.GetRequiredService<StainExplorer>().PreviewAsync(fixture.DatasetId, source.Id, 32);

        Assert.Equal(["center-b", "center-c"], preview.Cells.Select(c => c.Center));
        Assert.Empty(preview.Skipped);
        var original = CellImageDecoder.Decode(preview.SourcePng);
        foreach (var cell in preview.Cells)
        {
            var image = CellImageDecoder.Decode(cell.Png);
            Assert.Equal((32, 32), (image.Width, image.Height));
            double meanChange = image.Rgb.Zip(original.Rgb, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(meanChange > 5, $"{cell.Center}: the transfer changed pixels by {meanChange:F1} levels on average");
            Assert.True(cell.DistanceAfter < cell.DistanceBefore,
                $"{cell.Center}: {cell.DistanceBefore:F3} from its fingerprint before the transfer, {cell.DistanceAfter:F3} after");
        }
    }

    [Fact]
    public async Task The_map_holds_every_centers_fingerprint_and_a_symmetric_distance_matrix_with_a_zero_diagonal()
    {
        var dataset = await fixture.Services.GetRequiredService<DatasetBrowser>().GetAsync(fixture.DatasetId);

        var map = StainExplorer.Map(dataset!);

        Assert.Equal(["center-a", "center-b", "center-c"], map.Compared);
        Assert.All(map.Centers, c => Assert.NotNull(c.Fingerprint));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(map.Distances[i][j], map.Distances[j][i], 12);
                Assert.True(i == j ? map.Distances[i][j] == 0 : map.Distances[i][j] > 0.01);
            }
    }

    [Fact]
    public async Task A_cell_of_another_dataset_is_refused()
    {
        var e = await Assert.ThrowsAsync<DatasetException>(() => fixture.Services.GetRequiredService<StainExplorer>().PreviewAsync(fixture.DatasetId + 100, 1, 32));
        Assert.Equal("no cell #1 in this dataset", e.Message);
    }
}
