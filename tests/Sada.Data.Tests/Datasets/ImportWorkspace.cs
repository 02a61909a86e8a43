using System.IO.Compression;
using Sada.Data.Datasets;
using SkiaSharp;

namespace Sada.Data.Tests.Datasets;

/// <summary>A migrated database, its image store and a scratch folder for source trees, all in one temp folder.</summary>
public sealed class ImportWorkspace : IDisposable
{
    public TempDatabase Database { get; } = new();
    public ImageStore Store { get; }
    public string Sources { get; }

    public ImportWorkspace()
    {
        Store = new ImageStore(Database.Directory);
        Sources = Path.Combine(Database.Directory, "sources");
        Directory.CreateDirectory(Sources);
    }

    public DatasetImporter Importer(SadaDbContext db, ImportLimits? limits = null) => new(db, Store, limits);

    public int StoredFileCount => Store.EnumerateFiles().Count();

    /// <summary>Writes a file under the sources folder and returns its full path.</summary>
    public string Put(string relative, byte[] bytes)
    {
        var path = Path.Combine(Sources, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A distinct valid PNG per <paramref name="variant"/> (so hashes differ).</summary>
    public static byte[] Png(int variant, int size = 24, SKColorType type = SKColorType.Rgba8888, byte alpha = 255)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, type, alpha == 255 || type == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(variant * 37 + x), (byte)(variant * 11 + y * 3), (byte)(variant >> 3), alpha));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A zip in memory from (entry name, bytes) pairs; a null payload makes a folder entry.</summary>
    public static MemoryStream Zip(params (string Name, byte[]? Bytes)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                if (bytes is null) continue;
                using var s = entry.Open();
                s.Write(bytes);
            }
        stream.Position = 0;
        return stream;
    }

    public void Dispose() => Database.Dispose();
}
