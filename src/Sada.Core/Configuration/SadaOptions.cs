using Sada.Core.Imaging;

namespace Sada.Core.Configuration;

/// <summary>
/// The `Sada` section of appsettings.json; every key can be overridden by an environment variable
/// such as <c>Sada__DataDirectory</c>. The web app and the CLI read the same section.
/// </summary>
public sealed record SadaOptions
{
    public const string Section = "Sada";

    /// <summary>Where the database, images, checkpoints and results live; relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; init; } = "./data";

    /// <summary>SQLite database file; relative paths resolve against <see cref="DataDirectory"/>.</summary>
    public string Database { get; init; } = "sada.db";

    /// <summary>"auto" (cuda when available, else cpu), "cpu", or "cuda" / "cuda:N".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Torch intra-op threads; 0 means cores - 1 (at least 1), so the web server stays responsive while training.</summary>
    public int TorchThreads { get; init; }

    public string Urls { get; init; } = "http://localhost:5000";

    /// <summary>
    /// Largest image (width x height) any decode accepts: import, training, previews, predict, gallery. Read from the
    /// header before decoding; from 256 (16 x 16) to <see cref="CellImageDecoder.UpperMaxPixels"/>.
    /// </summary>
    public long MaxImagePixels { get; init; } = CellImageDecoder.DefaultMaxPixels;

    /// <summary>Sets the process-wide settings that live outside the dependency container (the decoders' pixel limit).</summary>
    public void ApplyProcessWide() => CellImageDecoder.MaxPixels = MaxImagePixels;

    /// <summary>Section <c>Sada:Data</c>: the memory budget for a run's decoded images.</summary>
    public DataOptions Data { get; init; } = new();

    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);

    public string ResolveDatabasePath() => Path.GetFullPath(Path.Combine(ResolveDataDirectory(), Database));

    public int ResolveTorchThreads() => TorchThreads > 0 ? TorchThreads : Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Throws with the key named when a value is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("Sada:DataDirectory must not be empty.");
        if (string.IsNullOrWhiteSpace(Database)) throw new ArgumentException("Sada:Database must not be empty.");
        if (Data.CacheMegabytes < 0)
            throw new ArgumentException($"Sada:Data:CacheMegabytes must be 0 (decode every image when used) or positive, not {Data.CacheMegabytes}.");
        if (TorchThreads < 0) throw new ArgumentException($"Sada:TorchThreads must be 0 (automatic) or positive, not {TorchThreads}.");
        if (MaxImagePixels < CellImageDecoder.MinSide * CellImageDecoder.MinSide || MaxImagePixels > CellImageDecoder.UpperMaxPixels)
            throw new ArgumentException($"Sada:MaxImagePixels must be between {CellImageDecoder.MinSide * CellImageDecoder.MinSide} and {CellImageDecoder.UpperMaxPixels:N0}, not {MaxImagePixels}.");
        var d = Device.Trim().ToLowerInvariant();
        if (d is not ("auto" or "cpu" or "cuda") && !(d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out var n) && n >= 0))
            throw new ArgumentException($"Sada:Device must be auto, cpu, cuda or cuda:N, not '{Device}'.");
    }
}
