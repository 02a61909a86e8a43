namespace Sada.Data.Datasets;

/// <summary>A refusal the user can act on (unknown dataset, a run uses it, a zip bomb, ...); its message says what and why.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Limits against hostile or broken uploads; checked before extracting anything, and again while streaming.</summary>
public sealed record ImportLimits
{
    /// <summary>Largest zip accepted, in bytes (compressed).</summary>
    public long MaxZipBytes { get; init; } = 4L << 30;
    /// <summary>Most entries (files and folders) a zip may hold.</summary>
    public int MaxEntries { get; init; } = 200_000;
    /// <summary>Largest total uncompressed size of a zip, in bytes.</summary>
    public long MaxUncompressedBytes { get; init; } = 8L << 30;
    /// <summary>Largest single image file, in bytes; cell crops are far smaller.</summary>
    public long MaxImageBytes { get; init; } = 64L << 20;
}

/// <summary>
/// What to import: into dataset <paramref name="Dataset"/>; with <paramref name="Center"/>, the source is one
/// center's &lt;class&gt;/&lt;image&gt; tree added to that dataset. Class names outside the vocabulary need
/// <paramref name="AllowNewClasses"/>.
/// </summary>
public sealed record ImportRequest(string Dataset, string? Center = null, bool AllowNewClasses = false, bool IsSynthetic = false, string? Description = null);

/// <summary>Progress of one center: images examined out of its total.</summary>
public sealed record ImportProgress(string Center, int Done, int Total);

/// <summary>A file that was not imported, and why.</summary>
public sealed record RefusedFile(string Path, string Reason);

/// <summary>Something the import did that the user should know, though nothing was refused (an image left out of the stain fingerprint).</summary>
public sealed record ImportNote(string Path, string Note);

/// <summary>The same bytes in several centers of the dataset (center/class/name each): they leak between training and held-out centers.</summary>
public sealed record ImageOverlap(string Hash, IReadOnlyList<string> Places);

/// <summary>
/// The outcome of one center: imported as a whole, or not at all (<paramref name="Error"/> says why).
/// <paramref name="Duplicates"/> counts images whose bytes were stored already (by any dataset).
/// </summary>
public sealed record CenterImportResult(
    string Name, bool Imported, string? Error, int ImageCount, IReadOnlyDictionary<string, int> ClassCounts, int NewFiles, int Duplicates);

public sealed record ImportReport(string Dataset, int? DatasetId, IReadOnlyList<CenterImportResult> Centers, IReadOnlyList<RefusedFile> Refused, IReadOnlyList<ImageOverlap> Overlaps)
{
    /// <summary>Notes on images that were imported but treated specially, with their paths.</summary>
    public IReadOnlyList<ImportNote> Notes { get; init; } = [];

    public bool Succeeded => Centers.Count > 0 && Centers.All(c => c.Imported);
    public int ImageCount => Centers.Sum(c => c.ImageCount);
    public int NewFiles => Centers.Sum(c => c.NewFiles);
    public int Duplicates => Centers.Sum(c => c.Duplicates);
}
