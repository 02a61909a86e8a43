using Sada.Core.Data;
using Sada.Core.Tests.Imaging;

namespace Sada.Core.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "sada-imagefolder-" + Guid.NewGuid().ToString("N"));

    void Put(string relative, byte[]? bytes = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes ?? TestImages.Png());
    }

    [Fact]
    public void Class_folders_normalise_to_one_class_across_centers()
    {
        Put("a/Neutrophil/1.png");
        Put("b/neutrophils/2.png");
        Put("c/NEUTROPHIL/3.PNG");
        Put("c/Lymphocytes/4.jpg");
        var scan = ImageFolder.Scan(root);
        Assert.Empty(scan.Problems);
        Assert.Equal(["neutrophil", "lymphocyte"], scan.ClassNames);
        Assert.All(scan.Centers, c => Assert.Contains("neutrophil", c.Classes.Keys));
        Assert.Equal(["a", "b", "c"], scan.Centers.Select(c => c.Name));
    }

    [Fact]
    public void Problems_name_wrong_depth_unsupported_files_and_empty_class_folders()
    {
        Put("a/neutrophil/ok.png");
        Put("stray.png");
        Put("a/loose.png");
        Put("a/neutrophil/deeper/x.png");
        Put("a/neutrophil/notes.txt", "hello"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(root, "a", "monocyte"));
        var scan = ImageFolder.Scan(root);
        string Reason(string relative) => scan.Problems.Single(p => p.Path == Path.Combine(root, relative)).Reason;
        Assert.Equal("file at the wrong depth: expected <center>/<class>/<image>, found 1 level(s)", Reason("stray.png"));
        Assert.Equal("file at the wrong depth: expected <center>/<class>/<image>, found 2 level(s)", Reason("a/loose.png"));
        Assert.Equal("file at the wrong depth: expected <center>/<class>/<image>, found 4 level(s)", Reason("a/neutrophil/deeper/x.png"));
        Assert.StartsWith("unsupported file type '.txt'", Reason("a/neutrophil/notes.txt"));
        Assert.Equal("empty class folder: it holds no image", Reason("a/monocyte"));
        Assert.Equal(1, scan.Centers.Single().ImageCount);
    }

    [Fact]
    public void One_center_scan_reads_class_folders_directly()
    {
        Put("Eosinophil/1.png");
        Put("basophil/2.bmp");
        var scan = ImageFolder.ScanCenter(root, "new-center");
        Assert.Equal("new-center", scan.Centers.Single().Name);
        Assert.Equal(["eosinophil", "basophil"], scan.ClassNames);
    }

    [Fact]
    public void To_dataset_gives_the_trainer_centers_classes_and_samples()
    {
        Put("h1/neutrophil/1.png");
        Put("h1/lymphocyte/2.png");
        Put("h2/Neutrophils/3.png");
        Put("h2/odd.png");
        var data = ImageFolder.ToDataset(root);
        Assert.Equal(["h1", "h2"], data.Centers);
        Assert.Equal(["neutrophil", "lymphocyte"], data.Classes);
        Assert.Equal(3, data.Samples.Count);
        Assert.Contains(data.Samples, s => s.Center == 1 && s.Label == 0 && s.Path.EndsWith("3.png", StringComparison.Ordinal));
    }

    [Fact]
    public void To_dataset_of_a_folder_without_images_says_so()
    {
        Put("loose.png");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.ToDataset(root));
        Assert.Contains("holds no <center>/<class>/<image> files", e.Message);
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
