using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Datasets;

public class SyntheticDatasetSeederTests
{
    [Fact]
    public async Task First_start_registers_a_synthetic_dataset_when_the_database_is_empty()
    {
        using var factory = WorkbenchFactory.Synthetic();
        using var client = factory.SignedInClient();
        var outcome = await factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
        Assert.Equal("registered synthetic-blood-cells (24 images)", outcome);

        using var db = factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();
        var dataset = db.Datasets.Include(d => d.Centers).Single();
        Assert.True(dataset.IsSynthetic);
        Assert.Equal(["center-a", "center-b"], dataset.Centers.Select(c => c.Name).Order());
        Assert.All(dataset.Centers, c => Assert.Equal(12, c.ImageCount));
        // The scratch folder it rendered into is gone; the images live in the store.
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "tmp")));
        Assert.Equal(24, Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "images"), "*.png", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task The_seeder_is_off_in_the_default_test_factory()
    {
        using var factory = new WorkbenchFactory();
        using var client = factory.SignedInClient();
        Assert.Equal("disabled", await factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion);
    }
}
