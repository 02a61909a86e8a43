using System.Diagnostics;
using Sada.Data.Datasets;

namespace Sada.Data.Tests.Datasets;

/// <summary>
/// A server-folder import follows no symbolic link out of the allowed roots and opens nothing that is not a regular file
/// (devices such as /dev/zero, FIFOs); each is refused with its path named, and the rest imports.
/// </summary>
public sealed class ServerFolderLinkTests : IDisposable
{
    readonly ImportWorkspace w = new();
    readonly string outside;

    public ServerFolderLinkTests()
    {
        outside = Path.Combine(w.Database.Directory, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "center-x", "neutrophil"));
        File.WriteAllBytes(Path.Combine(outside, "secret.png"), ImportWorkspace.Png(40));
        File.WriteAllBytes(Path.Combine(outside, "center-x", "neutrophil", "x.png"), ImportWorkspace.Png(41));
    }

    public void Dispose() => w.Dispose();

    ImportRoots Roots => new([w.Sources]);

    static void MakeFifo(string path)
    {
        using var make = Process.Start("mkfifo", path);
        make.WaitForExit();
        Assert.Equal(0, make.ExitCode);
    }

    [Fact]
    public void Links_leaving_the_roots_are_refused_by_name_and_not_followed()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need privileges there
        w.Put("a/neutrophil/good.png", ImportWorkspace.Png(1));
        var fileLink = Path.Combine(w.Sources, "a", "neutrophil", "secret.png");
        File.CreateSymbolicLink(fileLink, Path.Combine(outside, "secret.png"));
        var folderLink = Path.Combine(w.Sources, "center-x");
        Directory.CreateSymbolicLink(folderLink, Path.Combine(outside, "center-x"));
        var classLink = Path.Combine(w.Sources, "a", "lymphocyte");
        Directory.CreateSymbolicLink(classLink, Path.Combine(outside, "center-x", "neutrophil"));

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(Roots.Resolve(w.Sources), new ImportRequest("linked"), within: Roots);

        Assert.True(report.Succeeded);
        Assert.Equal("a", Assert.Single(report.Centers).Name);
        Assert.Equal(1, report.ImageCount);
        foreach (var (link, target) in new[] { (fileLink, Path.Combine(outside, "secret.png")), (folderLink, Path.Combine(outside, "center-x")),
                     (classLink, Path.Combine(outside, "center-x", "neutrophil")) })
            Assert.Equal($"symbolic link leaves the allowed import roots: '{link}' resolves to '{target}', outside '{w.Sources}'",
                report.Refused.Single(r => r.Path == link).Reason);
        Assert.Equal(1, w.StoredFileCount);
    }

    [Fact]
    public void A_link_to_dev_zero_is_refused_and_never_read()
    {
        if (!File.Exists("/dev/zero")) return;
        w.Put("a/neutrophil/good.png", ImportWorkspace.Png(1));
        var zero = Path.Combine(w.Sources, "a", "neutrophil", "zero.png");
        File.CreateSymbolicLink(zero, "/dev/zero");

        using var db = w.Database.Open();
        var confined = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("zero-in-root"), within: Roots);
        var open = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("zero-anywhere"));

        Assert.Equal($"symbolic link leaves the allowed import roots: '{zero}' resolves to '/dev/zero', outside '{w.Sources}'",
            confined.Refused.Single(r => r.Path == zero).Reason);
        // Without roots (the CLI) the link may be followed, but a device is still not a file to read.
        Assert.Equal("not a regular file: it is a character device", open.Refused.Single(r => r.Path == zero).Reason);
        Assert.True(confined.Succeeded && open.Succeeded);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_being_opened()
    {
        if (OperatingSystem.IsWindows()) return;
        w.Put("a/neutrophil/good.png", ImportWorkspace.Png(1));
        var fifo = Path.Combine(w.Sources, "a", "neutrophil", "pipe.png");
        MakeFifo(fifo);

        using var db = w.Database.Open();
        // Opening a FIFO with no writer blocks: run with a deadline so a regression fails instead of hanging.
        var report = await Task.Run(() => w.Importer(db).ImportFolder(w.Sources, new ImportRequest("piped"), within: Roots)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("not a regular file: it is a FIFO (named pipe)", report.Refused.Single(r => r.Path == fifo).Reason);
        Assert.Equal(1, report.ImageCount);
    }

    [Fact]
    public void A_link_inside_the_roots_is_followed_and_a_loop_ends()
    {
        if (OperatingSystem.IsWindows()) return;
        w.Put("shelf/neutrophil/1.png", ImportWorkspace.Png(1));
        Directory.CreateSymbolicLink(Path.Combine(w.Sources, "a"), Path.Combine(w.Sources, "shelf"));
        // A link back to the top: walked at most one level below the layout, never for ever.
        Directory.CreateSymbolicLink(Path.Combine(w.Sources, "shelf", "neutrophil", "up"), w.Sources);

        using var db = w.Database.Open();
        var report = w.Importer(db).ImportFolder(w.Sources, new ImportRequest("inside"), within: Roots);

        Assert.Equal(["a", "shelf"], report.Centers.Select(c => c.Name));
        Assert.True(report.Centers[0].Imported);
        Assert.Contains(report.Refused, r => r.Reason.StartsWith("folder below the layout", StringComparison.Ordinal));
    }
}
