using Sada.Data.Datasets;
using Sada.Data.Entities;

namespace Sada.Data.Tests.Datasets;

public sealed class DatasetCatalogTests : IDisposable
{
    readonly ImportWorkspace w = new();

    public void Dispose() => w.Dispose();

    void ImportTwoDatasetsSharingOneImage(SadaDbContext db)
    {
        var shared = ImportWorkspace.Png(1);
        w.Put("one/a/neutrophil/1.png", shared);
        w.Put("one/a/lymphocyte/2.png", ImportWorkspace.Png(2));
        w.Put("one/b/neutrophil/3.png", ImportWorkspace.Png(3));
        w.Put("two/x/neutrophil/shared.png", shared);
        w.Put("two/x/basophil/4.png", ImportWorkspace.Png(4));
        Assert.True(w.Importer(db).ImportFolder(Path.Combine(w.Sources, "one"), new ImportRequest("one")).Succeeded);
        Assert.True(w.Importer(db).ImportFolder(Path.Combine(w.Sources, "two"), new ImportRequest("two")).Succeeded);
    }

    [Fact]
    public void List_and_show_count_images_per_center_and_class()
    {
        using var db = w.Database.Open();
        ImportTwoDatasetsSharingOneImage(db);
        var catalog = new DatasetCatalog(db, w.Store);

        var list = catalog.List();
        Assert.Equal(["one", "two"], list.Select(d => d.Name));
        Assert.Equal((2, 3), (list[0].CenterCount, list[0].ImageCount));
        Assert.Equal(["neutrophil", "lymphocyte"], list[0].Classes);

        var one = catalog.Show("one");
        Assert.Equal(3, one.ImageCount);
        Assert.Equal(["a", "b"], one.Centers.Select(c => c.Name));
        Assert.Equal(1, one.Centers[0].ClassCounts["lymphocyte"]);
        // Every imported center carries its stain fingerprint, from the images it held.
        Assert.All(one.Centers, c => Assert.Equal(c.ImageCount, Sada.Core.Stain.StainFingerprint.FromJson(c.StainFingerprintJson)!.Images));

        var sheet = catalog.SheetPlan("one", perCell: 2);
        Assert.Equal(["neutrophil", "lymphocyte"], sheet.Classes);
        Assert.Empty(sheet.Paths[1][1]); // center b has no lymphocyte
        Assert.True(File.Exists(sheet.Paths[0][0].Single()));

        var trainer = catalog.ToMultiCenterDataset("one");
        Assert.Equal(["a", "b"], trainer.Centers);
        Assert.Equal(3, trainer.Samples.Count);
        Assert.All(trainer.Samples, s => Assert.True(File.Exists(s.Path)));

        Assert.Equal("no dataset named 'three'; the datasets are one, two", Assert.Throws<DatasetException>(() => catalog.Show("three")).Message);
    }

    [Fact]
    public void Delete_is_refused_while_a_run_uses_the_dataset()
    {
        using var db = w.Database.Open();
        ImportTwoDatasetsSharingOneImage(db);
        var run = new Run { DatasetId = db.Datasets.Single(d => d.Name == "one").Id, HoldoutCenter = "a", Algorithm = "erm", ConfigJson = "{}" };
        db.Runs.Add(run);
        db.SaveChanges();

        var e = Assert.Throws<DatasetException>(() => new DatasetCatalog(db, w.Store).Delete("one"));
        Assert.Equal($"dataset 'one' is used by 1 run(s) (#{run.Id}); its results refer to its images, so it cannot be deleted; delete those runs first", e.Message);
        Assert.Equal(3, db.CellImages.Count(i => i.Center!.Dataset!.Name == "one"));
        Assert.Equal(4, w.StoredFileCount);
    }

    [Fact]
    public void Delete_removes_rows_and_the_files_no_other_image_references()
    {
        using var db = w.Database.Open();
        ImportTwoDatasetsSharingOneImage(db);
        var sharedHash = db.CellImages.Single(i => i.OriginalName == "shared.png").Hash;

        var deleted = new DatasetCatalog(db, w.Store).Delete("one");

        Assert.Equal(("one", 3, 2), (deleted.Name, deleted.Images, deleted.Files));
        Assert.Equal(["two"], db.Datasets.Select(d => d.Name));
        Assert.Equal(["x"], db.Centers.Select(c => c.Name));
        Assert.Equal(2, db.CellImages.Count());
        Assert.Equal(2, db.StoredFiles.Count());
        // The image dataset "two" shares survives; the other two files are gone.
        Assert.Equal(2, w.StoredFileCount);
        Assert.True(w.Store.Exists(sharedHash, ".png"));

        new DatasetCatalog(db, w.Store).Delete("two");
        Assert.Empty(db.StoredFiles);
        Assert.Equal(0, w.StoredFileCount);
    }

    [Fact]
    public void One_centers_sheet_its_cells_one_cell_by_id_and_thumbnail_files()
    {
        using var db = w.Database.Open();
        ImportTwoDatasetsSharingOneImage(db);
        var catalog = new DatasetCatalog(db, w.Store);
        var one = catalog.Show("one");

        var sheet = catalog.SheetPlan("one", perCell: 1, center: "b");
        Assert.Equal(["b"], sheet.Centers);
        Assert.Equal(["neutrophil", "lymphocyte"], sheet.Classes);
        Assert.Single(sheet.Paths);
        Assert.Equal("dataset 'one' has no center 'zz'; its centers are a, b", Assert.Throws<DatasetException>(() => catalog.SheetPlan("one", center: "zz")).Message);

        var cells = catalog.Cells(one.Id, "a");
        Assert.Equal(["1.png", "2.png"], cells.Select(c => c.OriginalName).Order());
        Assert.Equal(cells.Select(c => c.Id).Order(), cells.Select(c => c.Id)); // import order
        Assert.Equal(["2.png"], catalog.Cells(one.Id, "a", "lymphocyte").Select(c => c.OriginalName));
        Assert.Equal([cells[1].OriginalName], catalog.Cells(one.Id, "a", skip: 1, take: 5).Select(c => c.OriginalName));
        Assert.All(cells, c => Assert.True(File.Exists(c.Path)));

        Assert.Equal(cells[1], catalog.Cell(one.Id, cells[1].Id));
        var two = catalog.Show("two");
        Assert.Null(catalog.Cell(two.Id, cells[1].Id)); // an image of another dataset

        var thumbs = one.Centers[0].ThumbnailHashes;
        Assert.Equal(thumbs.Count, catalog.FilesOf([.. thumbs, new string('0', 64)]).Count);
    }
}
