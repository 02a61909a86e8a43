using Sada.Data.Datasets;

namespace Sada.Data.Tests.Datasets;

public sealed class ImageStoreTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "sada-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Files_are_addressed_by_sha256_under_a_two_hex_folder()
    {
        var store = new ImageStore(root);
        var bytes = "cell"u8.ToArray();
        var hash = ImageStore.Hash(bytes);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Path.Combine(root, "images", hash[..2], hash + ".png"), store.PathFor(hash, "PNG"));

        Assert.True(store.Write(hash, ".png", bytes));
        Assert.False(store.Write(hash, ".png", bytes)); // the same content is written once
        Assert.Equal(bytes, File.ReadAllBytes(store.PathFor(hash, ".png")));
        // No temporary file is left next to it.
        Assert.Equal([store.PathFor(hash, ".png")], Directory.EnumerateFiles(Path.Combine(root, "images"), "*", SearchOption.AllDirectories));

        Assert.True(store.Delete(hash, ".png"));
        Assert.False(store.Exists(hash, ".png"));
    }

    [Fact]
    public void A_malformed_hash_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageStore(root).PathFor("../../etc/passwd", ".png"));
        Assert.Contains("is not a lower-case SHA-256", e.Message);
    }
}
