namespace Sada.Data.Entities;

/// <summary>
/// An image file stored once under the data directory, addressed by the SHA-256 of its bytes:
/// the same bytes imported into two centers are one file.
/// </summary>
public class StoredFile
{
    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    public required string Hash { get; set; }
    public required string Extension { get; set; }
    public long SizeBytes { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
}
