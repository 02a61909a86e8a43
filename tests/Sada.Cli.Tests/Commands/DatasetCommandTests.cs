using Sada.Core.Imaging;

namespace Sada.Cli.Tests.Commands;

public sealed class DatasetCommandTests : CliSandbox
{
    [Fact]
    public void Synth_then_import_list_show_sheet_and_delete()
    {
        var tree = Path.Combine(Root, "synth");
        var synth = Sada("dataset", "synth", "--out", tree, "--centers", "2", "--per-center", "20", "--size", "40", "--seed", "1");
        Assert.True(synth.Code == 0, synth.Error);
        Assert.Contains("wrote 40 images", synth.Output);
        Assert.Equal(20, Directory.EnumerateFiles(Path.Combine(tree, "center-a"), "*.png", SearchOption.AllDirectories).Count());

        var import = Sada("dataset", "import", tree, "--name", "tiny");
        Assert.True(import.Code == 0, import.Error);
        Assert.Contains("dataset tiny: 2 of 2 center(s) imported, 0 file(s) refused", import.Output);

        var list = Sada("dataset", "list");
        Assert.Equal(0, list.Code);
        Assert.Matches(@"tiny\s+2\s+40\s+neutrophil, lymphocyte, monocyte, eosinophil, basophil", list.Output);

        var show = Sada("dataset", "show", "tiny");
        Assert.Equal(0, show.Code);
        Assert.Matches(@"center-a(\s+\d+){5}\s+20", show.Output);
        Assert.Matches(@"center-a\s+stain 1 \([0-9.]+, [0-9.]+, [0-9.]+\) #[0-9a-f]{6}\s+stain 2 .* background .* \(20 images\)", show.Output);
        Assert.Contains("distance between fingerprints:", show.Output);
        Assert.Matches(@"center-a\s+0\.000\s+[0-9.]+", show.Output);

        var sheetPath = Path.Combine(Root, "sheet.png");
        var sheet = Sada("dataset", "sheet", "tiny", "--out", sheetPath);
        Assert.True(sheet.Code == 0, sheet.Error);
        var png = CellImageDecoder.Decode(sheetPath);
        Assert.True(png.Width > 5 * 64 && png.Height > 2 * 64, $"{png.Width}x{png.Height}");

        var copy = Sada("dataset", "import", tree, "--name", "tiny-copy");
        Assert.Contains("40 image(s) were already stored (duplicates): no new file for them", copy.Output);

        Assert.Equal(0, Sada("dataset", "delete", "tiny").Code);
        var deleted = Sada("dataset", "delete", "tiny-copy");
        Assert.Contains("deleted dataset tiny-copy: 40 image rows, 40 stored files", deleted.Output);
        Assert.Contains("no datasets", Sada("dataset", "list").Output);
    }

    [Fact]
    public void A_zip_imports_from_the_command_line()
    {
        var tree = Path.Combine(Root, "zipped");
        Assert.Equal(0, Sada("dataset", "synth", "--out", tree, "--centers", "2", "--per-center", "6", "--size", "32").Code);
        var zip = Path.Combine(Root, "upload.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(tree, zip);
        var import = Sada("dataset", "import", zip, "--name", "from-zip");
        Assert.True(import.Code == 0, import.Error);
        Assert.Contains("dataset from-zip: 2 of 2 center(s) imported, 0 file(s) refused", import.Output);
    }

    [Fact]
    public void Failures_exit_non_zero_with_a_message()
    {
        var missing = Sada("dataset", "show", "nope");
        Assert.Equal(1, missing.Code);
        Assert.Equal("error: no dataset named 'nope'; there are none yet", missing.Error.Trim());

        var nowhere = Sada("dataset", "import", Path.Combine(Root, "absent"), "--name", "x");
        Assert.Equal(1, nowhere.Code);
        Assert.Contains("is neither a folder nor a .zip file", nowhere.Error);

        Assert.NotEqual(0, Sada("dataset", "import", Root).Code); // --name is required
    }

    [Fact]
    public void New_classes_need_the_flag_and_a_center_joins_with_center()
    {
        var tree = Path.Combine(Root, "mixed");
        Directory.CreateDirectory(Path.Combine(tree, "h1", "Neutrophil"));
        Directory.CreateDirectory(Path.Combine(tree, "h1", "Blasts"));
        File.WriteAllBytes(Path.Combine(tree, "h1", "Neutrophil", "1.png"), Png(1));
        File.WriteAllBytes(Path.Combine(tree, "h1", "Blasts", "2.png"), Png(2));

        var refused = Sada("dataset", "import", tree, "--name", "m");
        Assert.Equal(1, refused.Code);
        Assert.Contains("center h1: not imported: class name(s) outside the vocabulary", refused.Error);
        Assert.Contains("(--allow-new-classes)", refused.Error);

        var allowed = Sada("dataset", "import", tree, "--name", "m", "--allow-new-classes");
        Assert.True(allowed.Code == 0, allowed.Error);

        var one = Path.Combine(Root, "one-center");
        Directory.CreateDirectory(Path.Combine(one, "lymphocytes"));
        File.WriteAllBytes(Path.Combine(one, "lymphocytes", "3.png"), Png(3));
        var added = Sada("dataset", "import", one, "--name", "m", "--center", "h2");
        Assert.True(added.Code == 0, added.Error);
        Assert.Matches(@"h2(\s+\d+){3}\s+1", Sada("dataset", "show", "m").Output);
    }

    static byte[] Png(int variant)
    {
        var rgb = new byte[24 * 24 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * variant);
        return global::Sada.Core.Synthetic.SyntheticBloodCells.EncodePng(rgb, 24);
    }
}
