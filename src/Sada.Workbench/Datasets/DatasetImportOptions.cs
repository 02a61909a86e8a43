namespace Sada.Workbench.Datasets;

/// <summary>
/// The `Sada:Datasets` section: how datasets may reach the server from the browser. A zip upload up to
/// <see cref="MaxUploadBytes"/>; a server folder only inside one of <see cref="ImportRoots"/> (none: that way is off).
/// </summary>
public sealed record DatasetImportOptions
{
    public const string Section = "Sada:Datasets";

    /// <summary>Folders on the server whose subfolders admins may import from.</summary>
    public string[] ImportRoots { get; init; } = [];

    /// <summary>Largest zip the browser may upload, in bytes (2 GiB).</summary>
    public long MaxUploadBytes { get; init; } = 2L << 30;

    public void Validate()
    {
        if (MaxUploadBytes <= 0) throw new ArgumentException($"Sada:Datasets:MaxUploadBytes must be positive, not {MaxUploadBytes}.");
    }
}
