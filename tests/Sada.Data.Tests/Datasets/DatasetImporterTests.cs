using System.Text;
using System.Text.Json;
using Sada.Core.Synthetic;
using Sada.Data.Datasets;
using SkiaSharp;

namespace Sada.Data.Tests.Datasets;

public sealed class DatasetImporterTests : IDisposable
{
    readonly ImportWorkspace w = new();

    public void Dispose() => w.Dispose();

    [Fact]
    public void Bad_files_are_refused_with_their_reason_and_the_rest_imports()
    {
        var png = ImportWorkspace.Png(1, 64);
        w.Put("a/neutrophil/good.png", ImportWorkspace.Png(2));
        w.Put("a/neutrophil/gray.png", ImportWorkspace.Png(3, type: SKColorType.Gray8));
        w.Put("a/neutrophil/rgba.png", ImportWorkspace.Png(4, alpha: 100));
        w.Put("a/neutrophil/truncated.png", png[..(png.Length / 2)]);
        var corrupt = (byte[])png.Clone();
        int idat = corrupt.AsSpan().IndexOf("IDAT"u8) + 4;
        for (int i = idat + 2; i < idat + 40; i++) corrupt[i] ^= 0x5A;
        w.Put("a/neutrophil/corrupt.png", corrupt);
        w.Put("a/neutrophil/empty.png", []);
        w.Put("a/neutrophil/notes.jpg", Encoding.UTF8.GetBytes("not a picture"));
        w.Put("a/neutrophil/tiny.png", ImportWorkspace.Png(5, size: 8));
        w.Put("a/neutrophil/readme.txt", "hello"u8.ToArray());
        w.Put("a/lymphocyte/l.png", ImportWorkspace.Png(6));
        w.Put("a/stray.png", ImportWorkspace.Png(7));
        w.Put("top.png", ImportWorkspace.Png(8));
        Directory.CreateDirectory(Path.Combine(w.Sources, "a", "monocyte"));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));

        string Reason(string relative) => report.Refused.Single(r => r.Path == Path.Combine(w.Sources, relative)).Reason;
        Assert.StartsWith("truncated image", Reason("a/neutrophil/truncated.png"));
        Assert.Matches("^(corrupt|truncated) image", Reason("a/neutrophil/corrupt.png"));
        Assert.Equal("zero-byte file (empty, not an image)", Reason("a/neutrophil/empty.png"));
        Assert.StartsWith("not an image", Reason("a/neutrophil/notes.jpg"));
        Assert.Equal("image too small: 8x8 px, below the 16x16 minimum", Reason("a/neutrophil/tiny.png"));
        Assert.StartsWith("unsupported file type '.txt'", Reason("a/neutrophil/readme.txt"));
        Assert.StartsWith("file at the wrong depth", Reason("a/stray.png"));
        Assert.StartsWith("file at the wrong depth", Reason("top.png"));
        Assert.Equal("empty class folder: it holds no image", Reason("a/monocyte"));
        Assert.Equal(9, report.Refused.Count);

        // Grayscale and RGBA are converted at decode time, not refused.
        var center = Assert.Single(report.Centers);
        Assert.True(center.Imported);
        Assert.Equal(new Dictionary<string, int> { ["neutrophil"] = 3, ["lymphocyte"] = 1 }, center.ClassCounts);
        Assert.Equal(4, db.CellImages.Count());
        Assert.Equal(4, w.StoredFileCount);
        var stored = db.Centers.Single();
        Assert.Equal(4, stored.ImageCount);
        Assert.Equal(3, JsonSerializer.Deserialize<Dictionary<string, int>>(stored.ClassCountsJson)!["neutrophil"]);
        var fingerprint = Sada.Core.Stain.StainFingerprint.FromJson(stored.StainFingerprintJson)!;
        Assert.Equal(4, fingerprint.Images); // from the accepted images only, the refused ones left out
        Assert.Equal(2, fingerprint.Stains.Length);
        Assert.Equal(2, JsonSerializer.Deserialize<List<string>>(stored.ThumbnailHashesJson)!.Take(2).Distinct().Count());
        var gray = db.CellImages.Single(i => i.OriginalName == "gray.png");
        Assert.Equal((24, 24), (gray.Width, gray.Height));
        Assert.True(File.Exists(w.Store.PathFor(gray.Hash, ".png")));
    }

    [Fact]
    public void A_center_with_no_valid_image_fails_whole_and_leaves_nothing()
    {
        w.Put("good/neutrophil/1.png", ImportWorkspace.Png(1));
        w.Put("bad/neutrophil/1.png", []);
        w.Put("bad/neutrophil/2.png", ImportWorkspace.Png(2, size: 10));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));

        var bad = report.Centers.Single(c => c.Name == "bad");
        Assert.False(bad.Imported);
        Assert.Equal("no valid image in center 'bad' (2 file(s), all refused)", bad.Error);
        Assert.False(report.Succeeded);
        Assert.Equal(["good"], db.Centers.Select(c => c.Name));
        Assert.Equal(1, db.CellImages.Count());
        Assert.Equal(1, w.StoredFileCount);
    }

    [Fact]
    public void Class_names_normalise_across_folders_to_one_class()
    {
        w.Put("a/Neutrophil/1.png", ImportWorkspace.Png(1));
        w.Put("b/neutrophils/2.png", ImportWorkspace.Png(2));
        w.Put("c/NEUTROPHIL/3.png", ImportWorkspace.Png(3));
        w.Put("c/neutrophil/4.png", ImportWorkspace.Png(4));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));

        Assert.True(report.Succeeded);
        Assert.Equal(["neutrophil"], db.CellImages.Select(i => i.ClassName).Distinct());
        Assert.Equal(2, report.Centers.Single(c => c.Name == "c").ClassCounts["neutrophil"]);
    }

    [Fact]
    public void New_classes_are_refused_without_permission_and_nothing_is_written()
    {
        w.Put("a/neutrophil/1.png", ImportWorkspace.Png(1));
        w.Put("a/Blast cells/2.png", ImportWorkspace.Png(2));

        using (var db = w.Database.Open())
        {
            var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));
            var center = Assert.Single(report.Centers);
            Assert.False(center.Imported);
            Assert.Equal("class name(s) outside the vocabulary (neutrophil, lymphocyte, monocyte, eosinophil, basophil): 'Blast cells'; " +
                "allow new classes to import them (--allow-new-classes)", center.Error);
            Assert.Null(report.DatasetId);
            Assert.Empty(db.Datasets);
            Assert.Empty(db.CellImages);
            Assert.Equal(0, w.StoredFileCount);
        }
        using (var db = w.Database.Open())
        {
            var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d", AllowNewClasses: true));
            Assert.True(report.Succeeded);
            Assert.Equal(["blast cell", "neutrophil"], db.CellImages.Select(i => i.ClassName).Order());
        }
    }

    [Fact]
    public void A_new_center_joins_an_existing_dataset_and_the_overlap_is_reported()
    {
        var shared = ImportWorkspace.Png(1);
        w.Put("base/a/neutrophil/1.png", shared);
        w.Put("base/a/lymphocyte/2.png", ImportWorkspace.Png(2));
        w.Put("new/Neutrophils/copy.png", shared);
        w.Put("new/eosinophil/3.png", ImportWorkspace.Png(3));

        using var db = w.Database.Open();
        w.Importer(db).ImportFolder(Path.Combine(w.Sources, "base"), new ImportRequest("d"));
        var report = w.Importer(db).ImportFolder(Path.Combine(w.Sources, "new"), new ImportRequest("d", Center: "hospital-x"));

        var center = Assert.Single(report.Centers);
        Assert.True(center.Imported);
        Assert.Equal("hospital-x", center.Name);
        Assert.Equal(1, center.Duplicates);
        Assert.Equal(1, center.NewFiles);
        var overlap = Assert.Single(report.Overlaps);
        Assert.Equal(["a/neutrophil/1.png", "hospital-x/neutrophil/copy.png"], overlap.Places);
        // Stored once, referenced twice.
        Assert.Equal(3, w.StoredFileCount);
        Assert.Equal(3, db.StoredFiles.Count());
        Assert.Equal(2, db.CellImages.Count(i => i.Hash == overlap.Hash));

        var again = w.Importer(db).ImportFolder(Path.Combine(w.Sources, "new"), new ImportRequest("d", Center: "hospital-x"));
        Assert.Equal("center 'hospital-x' already exists in dataset 'd'", again.Centers.Single().Error);
        var whole = Assert.Throws<DatasetException>(() => w.Importer(db).ImportFolder(Path.Combine(w.Sources, "base"), new ImportRequest("d")));
        Assert.Equal("dataset 'd' already exists: add a center to it with --center NAME, or pick another name", whole.Message);
    }

    [Fact]
    public void A_second_copy_of_a_synthetic_set_is_all_duplicates_and_stores_no_new_file()
    {
        var root = Path.Combine(w.Sources, "synth");
        new SyntheticBloodCells(new SyntheticSetOptions(Centers: 2, PerCenter: 15, Size: 32, Seed: 2)).WriteImageFolder(root);

        using var db = w.Database.Open();
        var first = w.Importer(db).ImportFolder(root, new ImportRequest("copy-1", IsSynthetic: true));
        Assert.True(first.Succeeded);
        Assert.Equal(30, first.NewFiles);
        Assert.Equal(0, first.Duplicates);
        Assert.Empty(first.Refused);
        var files = w.Store.EnumerateFiles().Order().ToList();

        var second = w.Importer(db).ImportFolder(root, new ImportRequest("copy-2"));
        Assert.True(second.Succeeded);
        Assert.Equal(30, second.ImageCount);
        Assert.Equal(30, second.Duplicates);
        Assert.Equal(0, second.NewFiles);
        Assert.Equal(files, w.Store.EnumerateFiles().Order());
        Assert.Equal(30, db.StoredFiles.Count());
        Assert.Equal(60, db.CellImages.Count());
    }

    [Fact]
    public void Cancellation_leaves_no_half_center_and_removes_its_new_files()
    {
        for (int i = 0; i < 60; i++) w.Put($"a/neutrophil/{i}.png", ImportWorkspace.Png(i));
        using var cancel = new CancellationTokenSource();
        // Progress is reported every 50 images: cancel there, with 50 files already written to the store.
        var progress = new SynchronousProgress<ImportProgress>(p => { if (p.Done >= 50) cancel.Cancel(); });

        using var db = w.Database.Open();
        Assert.ThrowsAny<OperationCanceledException>(() => w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"), progress, cancellationToken: cancel.Token));
        Assert.Empty(db.Datasets);
        Assert.Empty(db.Centers);
        Assert.Empty(db.CellImages);
        Assert.Empty(db.StoredFiles);
        Assert.Equal(0, w.StoredFileCount);
    }

    [Fact]
    public void A_refused_center_keeps_files_other_images_reference()
    {
        var shared = ImportWorkspace.Png(1);
        w.Put("first/a/neutrophil/1.png", shared);
        w.Put("second/b/neutrophil/1.png", shared);
        w.Put("second/b/mystery/2.png", ImportWorkspace.Png(2));

        using var db = w.Database.Open();
        w.Importer(db).ImportFolder(Path.Combine(w.Sources, "first"), new ImportRequest("one"));
        var report = w.Importer(db).ImportFolder(Path.Combine(w.Sources, "second"), new ImportRequest("two"));
        Assert.False(report.Centers.Single().Imported);
        Assert.Equal(1, w.StoredFileCount);
        Assert.Equal(1, db.CellImages.Count());
    }

    [Fact]
    public void The_same_bytes_twice_in_one_center_keep_the_first_and_refuse_the_copy()
    {
        var png = ImportWorkspace.Png(1);
        var first = w.Put("a/lymphocyte/1.png", png); // files are read in path order
        var copy = w.Put("a/neutrophil/copy.png", png);

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d"));

        Assert.True(report.Succeeded);
        Assert.Equal(1, report.ImageCount);
        Assert.Equal($"duplicate: the same bytes as {first} in this center", Assert.Single(report.Refused, r => r.Path == copy).Reason);
    }

    [Fact]
    public void A_folder_without_images_is_refused_with_the_first_problem()
    {
        w.Put("loose.png", ImportWorkspace.Png(1));
        using var db = w.Database.Open();
        var e = Assert.Throws<DatasetException>(() => w.Importer(db).ImportFolder(w.Sources, new ImportRequest("d")));
        Assert.StartsWith("no images found: expected <center>/<class>/<image> files (1 file(s) refused, first:", e.Message);
        Assert.Empty(db.Datasets);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test needs the callback inline.</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
