using Microsoft.EntityFrameworkCore;
using Sada.Core.Tests.Imaging;
using Sada.Data.Datasets;
using SkiaSharp;

namespace Sada.Data.Tests.Datasets;

/// <summary>
/// Imports meeting hostile images and failures at any point: a bomb or lying header is one refused file, a uniform image
/// is a valid one, and whatever fails leaves no dataset or center row without images and no stored file without a row.
/// </summary>
public sealed class ImportAtomicityTests : IDisposable
{
    readonly ImportWorkspace w = new();

    public void Dispose() => w.Dispose();

    static byte[] UniformPng(SKColor colour)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Throws on its first report: a failure at an arbitrary point, after files were written and before the commit.</summary>
    sealed class FailingProgress : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => throw new InvalidOperationException($"progress sink broke at {value.Center} {value.Done}/{value.Total}");
    }

    void AssertNothingLeft(SadaDbContext db, string dataset)
    {
        db.ChangeTracker.Clear();
        Assert.DoesNotContain(db.Datasets.AsNoTracking(), d => d.Name == dataset);
        Assert.Empty(db.Centers.AsNoTracking().Where(c => c.ImageCount == 0 || !c.Images.Any()));
        Assert.Equal(db.StoredFiles.Count(), w.StoredFileCount);
    }

    [Fact]
    public void A_69_byte_png_declaring_50000_squared_is_one_refused_file_and_the_rest_imports()
    {
        var bomb = w.Put("a/neutrophil/bomb.png", HostileImages.LyingPng(50_000, 50_000));
        w.Put("a/neutrophil/good.png", ImportWorkspace.Png(1));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));

        Assert.True(report.Succeeded);
        var refused = Assert.Single(report.Refused);
        Assert.Equal((bomb, "image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit"), (refused.Path, refused.Reason));
        Assert.Equal(1, db.CellImages.Count());
        Assert.Equal(1, w.StoredFileCount);
    }

    [Fact]
    public void A_new_dataset_of_bombs_only_leaves_no_dataset_row_and_no_file()
    {
        w.Put("a/neutrophil/bomb.png", HostileImages.LyingPng(50_000, 50_000));
        w.Put("a/neutrophil/liar.png", HostileImages.WithPngSize(ImportWorkspace.Png(2), 6000, 6000));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("bombs"));

        Assert.False(report.Succeeded);
        Assert.Null(report.DatasetId);
        Assert.Equal(2, report.Refused.Count);
        AssertNothingLeft(db, "bombs");
        Assert.Equal(0, w.StoredFileCount);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(255, 255, 255)]
    [InlineData(128, 128, 128)]
    public void A_uniform_image_as_a_centers_only_image_imports_with_no_fingerprint_and_a_note(byte r, byte g, byte b)
    {
        var only = w.Put("a/neutrophil/uniform.png", UniformPng(new SKColor(r, g, b)));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("uniform"));

        Assert.True(report.Succeeded, report.Centers.Single().Error);
        Assert.Contains(report.Notes, n => n.Path == only && n.Note.StartsWith("left out of the stain fingerprint: the image is uniform", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Path == "a" && n.Note == "center 'a' has no stain fingerprint: every sampled image is uniform");
        var center = db.Centers.Single();
        Assert.Equal(1, center.ImageCount);
        Assert.Null(center.StainFingerprintJson);
        Assert.Equal(1, w.StoredFileCount);
    }

    [Fact]
    public void A_uniform_image_among_cells_is_left_out_of_a_finite_fingerprint_with_a_note()
    {
        var black = w.Put("a/neutrophil/black.png", UniformPng(SKColors.Black));
        for (int i = 0; i < 4; i++) w.Put($"a/neutrophil/{i}.png", ImportWorkspace.Png(i + 10));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("mixed"));

        Assert.True(report.Succeeded);
        Assert.Equal(black, Assert.Single(report.Notes).Path);
        var json = db.Centers.Single().StainFingerprintJson!;
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        var print = Sada.Core.Stain.StainFingerprint.FromJson(json)!;
        Assert.Equal(4, print.Images);
        Assert.All(print.Descriptor(), v => Assert.True(double.IsFinite(v)));
        Assert.Equal(5, db.Centers.Single().ImageCount);
    }

    [Fact]
    public void A_failure_after_files_were_written_removes_them_and_the_new_dataset_on_the_folder_path()
    {
        for (int i = 0; i < 3; i++) w.Put($"a/neutrophil/{i}.png", ImportWorkspace.Png(i));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("broken"), new FailingProgress());

        var center = Assert.Single(report.Centers);
        Assert.False(center.Imported);
        Assert.Equal("unexpected InvalidOperationException: progress sink broke at a 3/3", center.Error);
        AssertNothingLeft(db, "broken");
        Assert.Equal(0, w.StoredFileCount);
    }

    [Fact]
    public void A_failure_on_the_zip_path_leaves_nothing_and_stops_the_centers_after_it()
    {
        var zip = ImportWorkspace.Zip(("a/neutrophil/1.png", ImportWorkspace.Png(1)), ("b/neutrophil/2.png", ImportWorkspace.Png(2)));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportZip(zip, new ImportRequest("zipped"), new FailingProgress());

        Assert.Equal([false, false], report.Centers.Select(c => c.Imported));
        Assert.StartsWith("import stopped: unexpected InvalidOperationException", report.Centers[1].Error);
        AssertNothingLeft(db, "zipped");
        Assert.Equal(0, w.StoredFileCount);
    }

    [Fact]
    public void Centers_committed_before_a_failure_stay_whole_and_the_failing_one_leaves_nothing()
    {
        w.Put("a/neutrophil/1.png", ImportWorkspace.Png(1));
        w.Put("b/neutrophil/2.png", ImportWorkspace.Png(2));
        var progress = new CountingThenFailing(failOnCenter: "b");

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("half"), progress);

        Assert.Equal([true, false], report.Centers.Select(c => c.Imported));
        Assert.Equal("a", db.Centers.Single().Name);
        Assert.Equal(1, w.StoredFileCount);
        Assert.Equal(db.StoredFiles.Count(), w.StoredFileCount);
    }

    sealed class CountingThenFailing(string failOnCenter) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.Center == failOnCenter) throw new InvalidOperationException("broken");
        }
    }

    [Fact]
    public void A_new_datasets_row_is_written_with_its_first_center_not_before()
    {
        w.Put("a/neutrophil/1.png", ImportWorkspace.Png(1));
        bool? existedDuringImport = null;
        // A second connection looks while the first center is being read, as a crash at that moment would leave things.
        var peek = new SyncProgress(_ =>
        {
            using var other = w.Database.Open();
            existedDuringImport = other.Datasets.Any(d => d.Name == "late");
        });

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("late"), peek);

        Assert.True(report.Succeeded);
        Assert.False(existedDuringImport);
        Assert.Equal(report.DatasetId, db.Datasets.Single(d => d.Name == "late").Id);
    }

    sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    [Fact]
    public void Files_a_killed_import_left_without_rows_are_removed_by_the_next_import_once_a_day_old()
    {
        using var db = w.Database.Open();
        w.Put("a/neutrophil/1.png", ImportWorkspace.Png(1));
        w.Importer(db).ImportFolder(w.Sources, new ImportRequest("kept"));
        var keptFile = w.Store.EnumerateFiles().Single();
        // What a kill between writing and committing leaves: files with no row, and a half-written temporary file.
        var orphan = ImportWorkspace.Png(2);
        w.Store.Write(ImageStore.Hash(orphan), ".png", orphan);
        var orphanPath = w.Store.PathFor(ImageStore.Hash(orphan), ".png");
        var recent = ImportWorkspace.Png(3);
        w.Store.Write(ImageStore.Hash(recent), ".png", recent);
        var temporary = Path.Combine(Path.GetDirectoryName(orphanPath)!, $".{ImageStore.Hash(orphan)}.0123.tmp");
        File.WriteAllBytes(temporary, [1, 2, 3]);
        var old = DateTime.UtcNow - TimeSpan.FromDays(2);
        foreach (var path in new[] { keptFile, orphanPath, temporary }) File.SetLastWriteTimeUtc(path, old);

        w.Put("b/neutrophil/4.png", ImportWorkspace.Png(4));
        var report = w.Importer(db).ImportFolder(Path.Combine(w.Sources, "b"), new ImportRequest("kept", Center: "b"));

        Assert.True(report.Succeeded);
        Assert.False(File.Exists(orphanPath));
        Assert.False(File.Exists(temporary));
        Assert.True(File.Exists(keptFile), "an old file with its row stays");
        Assert.True(File.Exists(w.Store.PathFor(ImageStore.Hash(recent), ".png")), "a recent file may belong to an import under way elsewhere");
        Assert.Equal(db.StoredFiles.Count() + 1, w.StoredFileCount);
    }
}
