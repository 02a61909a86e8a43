namespace Sada.Core.Configuration;

/// <summary>The <c>Sada:Data</c> section: how a run holds its images in memory.</summary>
public sealed record DataOptions
{
    /// <summary>
    /// 128 MiB: with glibc's heap left as it is (the fast way, docs/performance.md), a ResNet-18 run on 60,000 images at
    /// 96 px then peaked at 1.36 to 1.51 GB; images beyond the budget are decoded again by the pipeline, ahead of the step.
    /// </summary>
    public const int DefaultCacheMegabytes = 128;

    /// <summary>
    /// Memory for a run's decoded images (reduced to the size training and evaluation use); images beyond it are read and
    /// decoded again from disk each time a batch needs them. 0 keeps none.
    /// </summary>
    public int CacheMegabytes { get; init; } = DefaultCacheMegabytes;
}
