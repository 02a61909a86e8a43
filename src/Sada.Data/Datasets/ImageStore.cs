using System.Security.Cryptography;

namespace Sada.Data.Datasets;

/// <summary>
/// Image files under <c>&lt;data directory&gt;/images/&lt;first 2 hex&gt;/&lt;sha256&gt;&lt;ext&gt;</c>, addressed by the SHA-256
/// of their bytes: the same bytes are stored once, whatever their names and centers.
/// </summary>
public sealed class ImageStore(string dataDirectory)
{
    public string Root { get; } = Path.Combine(Path.GetFullPath(dataDirectory), "images");

    public static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Lower case with the dot; ".jpeg" stays ".jpeg" (the bytes decide the format, not the name).</summary>
    public static string NormalizeExtension(string extension)
    {
        var e = extension.Trim().ToLowerInvariant();
        return e.StartsWith('.') ? e : "." + e;
    }

    public string PathFor(string hash, string extension)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) throw new ArgumentException($"'{hash}' is not a lower-case SHA-256");
        return Path.Combine(Root, hash[..2], hash + NormalizeExtension(extension));
    }

    public bool Exists(string hash, string extension) => File.Exists(PathFor(hash, extension));

    /// <summary>
    /// Stores the bytes under their hash; true when this call created the file, false when it was there.
    /// Written to a temporary file and renamed, so a crash never leaves a half file under a valid name.
    /// </summary>
    public bool Write(string hash, string extension, ReadOnlySpan<byte> bytes)
    {
        var path = PathFor(hash, extension);
        if (File.Exists(path)) return false;
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{hash}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another import stored the same bytes meanwhile: same content, nothing to do.
                return false;
            }
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public bool Delete(string hash, string extension)
    {
        var path = PathFor(hash, extension);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>Every stored file (for checks and tests): its path under <see cref="Root"/>.</summary>
    public IEnumerable<string> EnumerateFiles() =>
        Directory.Exists(Root) ? Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')) : [];
}
