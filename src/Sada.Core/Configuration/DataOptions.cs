namespace Sada.Core.Configuration;

/// <summary>The <c>Sada:Data</c> section: how a run holds its images in memory.</summary>
public sealed record DataOptions
{
    public const int DefaultCacheMegabytes = 512;

    /// <summary>
    /// Memory for a run's decoded images (reduced to the size training and evaluation use); images beyond it are read and
    /// decoded again from disk each time a batch needs them. 0 keeps none.
    /// </summary>
    public int CacheMegabytes { get; init; } = DefaultCacheMegabytes;
}
