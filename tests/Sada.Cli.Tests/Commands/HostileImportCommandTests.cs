using System.IO.Compression;
using Microsoft.Data.Sqlite;
using Sada.Core.Tests.Imaging;
using SkiaSharp;

namespace Sada.Cli.Tests.Commands;

/// <summary>`sada dataset import` against bombs, lying headers and uniform images: files listed as refused or noted, never a stack trace.</summary>
public sealed class HostileImportCommandTests : CliSandbox
{
    static byte[] Cell(byte shade)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) bitmap.SetPixel(x, y, new SKColor((byte)(shade + x * 3), (byte)(90 + y * 4), 170));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static byte[] Black()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(SKColors.Black);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    string Put(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    long Rows(string table)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(Root, "data", "sada.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    int StoredFiles() =>
        Directory.Exists(Path.Combine(Root, "data", "images")) ? Directory.EnumerateFiles(Path.Combine(Root, "data", "images"), "*", SearchOption.AllDirectories).Count() : 0;

    [Fact]
    public void A_lying_png_is_listed_as_refused_and_a_black_cell_as_noted()
    {
        var bomb = Put("tree/a/neutrophil/bomb.png", HostileImages.LyingPng(50_000, 50_000));
        var black = Put("tree/a/neutrophil/black.png", Black());
        Put("tree/a/neutrophil/good.png", Cell(10));

        var import = Sada("dataset", "import", Path.Combine(Root, "tree"), "--name", "hostile");

        Assert.True(import.Code == 0, import.Error);
        Assert.Contains($"refused {bomb}: image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit", import.Error);
        Assert.Contains($"note: {black}: left out of the stain fingerprint", import.Output);
        Assert.Contains("dataset hostile: 1 of 1 center(s) imported, 1 file(s) refused", import.Output);
        Assert.DoesNotContain("   at ", import.Error);
    }

    [Fact]
    public void A_zip_of_bombs_only_leaves_no_dataset_row_and_no_stored_file()
    {
        Directory.CreateDirectory(Root);
        var zip = Path.Combine(Root, "bombs.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var (name, bytes) in new[] { ("a/neutrophil/bomb.png", HostileImages.LyingPng(50_000, 50_000)),
                         ("a/neutrophil/liar.bmp", HostileImages.WithBmpSize(HostileImages.Bmp(), 40_000, 40_000)) })
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }

        var import = Sada("dataset", "import", zip, "--name", "bombs");

        Assert.Equal(1, import.Code);
        Assert.Contains("refused a/neutrophil/bomb.png: image too large: 50000x50000 px", import.Error);
        Assert.Contains("refused a/neutrophil/liar.bmp: image too large: 40000x40000 px", import.Error);
        Assert.Contains("center a: not imported: no valid image", import.Error);
        Assert.DoesNotContain("   at ", import.Error);
        Assert.Equal(0, Rows("Datasets"));
        Assert.Equal(0, Rows("Centers"));
        Assert.Equal(0, StoredFiles());
    }
}
