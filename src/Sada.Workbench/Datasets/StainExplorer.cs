using System.Diagnostics;
using Sada.Core.Imaging;
using Sada.Core.Stain;
using Sada.Data.Datasets;

namespace Sada.Workbench.Datasets;

/// <summary>A center's stain fingerprint as stored at import (null: not computed).</summary>
public sealed record CenterStain(string Center, StainFingerprint? Fingerprint);

/// <summary>The fingerprints of a dataset's centers and the distance between every two that have one (<see cref="Compared"/>, in order).</summary>
public sealed record StainMap(IReadOnlyList<CenterStain> Centers, IReadOnlyList<string> Compared, double[][] Distances);

/// <summary>The chosen cell rendered in one other center's stains; distances are to that center's fingerprint, before and after.</summary>
public sealed record TransferredCell(string Center, byte[] Png, double DistanceBefore, double DistanceAfter);

public sealed record TransferPreview(StoredCell Source, byte[] SourcePng, int Side, IReadOnlyList<TransferredCell> Cells, IReadOnlyList<string> Skipped, TimeSpan Elapsed);

/// <summary>
/// The stain explorer's work: the fingerprints and their distances (as `sada dataset show` prints them), and the
/// preview of one cell transferred into every other center's stains by <see cref="StainTransferPreview"/>, the
/// augmentation's own transfer, with each center represented by its thumbnail nearest its fingerprint.
/// </summary>
public sealed class StainExplorer(DatasetReads datasets)
{
    /// <summary>Preview sides offered: the synthetic set's size and the method's model size.</summary>
    public static readonly int[] Sides = [96, 224];

    public static StainMap Map(DatasetDetails dataset)
    {
        var centers = dataset.Centers.Select(c => new CenterStain(c.Name, StainFingerprint.FromJson(c.StainFingerprintJson))).ToList();
        var known = centers.Where(c => c.Fingerprint is not null).ToList();
        var distances = known.Select(a => known.Select(b => StainFingerprint.Distance(a.Fingerprint!, b.Fingerprint!)).ToArray()).ToArray();
        return new StainMap(centers, known.Select(c => c.Center).ToList(), distances);
    }

    /// <summary>A CSS colour for an RGB triple in [0, 1].</summary>
    public static string Css(double[] rgb) => "#" + string.Concat(rgb.Select(x => ((int)Math.Round(Math.Clamp(x, 0, 1) * 255)).ToString("x2")));

    /// <summary>
    /// Cell <paramref name="imageId"/> of the dataset transferred, at <paramref name="side"/> px, into the stains of every
    /// other center that has a fingerprint (the others are listed in <c>Skipped</c>).
    /// </summary>
    public async Task<TransferPreview> PreviewAsync(int datasetId, long imageId, int side, CancellationToken cancellation = default)
    {
        var (source, others, targets) = await datasets.ReadAsync(catalog =>
        {
            var source = catalog.Cell(datasetId, imageId) ?? throw new DatasetException($"no cell #{imageId} in this dataset");
            var others = catalog.Show(catalog.NameOf(datasetId)!).Centers.Where(c => c.Name != source.Center).ToList();
            var targets = others
                .Select(c => (c.Name, Print: StainFingerprint.FromJson(c.StainFingerprintJson), Files: catalog.FilesOf(c.ThumbnailHashes)))
                .Where(t => t.Print is not null && t.Files.Count > 0).ToList();
            return (source, others, targets);
        }, cancellation);
        var skipped = others.Select(c => c.Name).Except(targets.Select(t => t.Name)).ToList();

        // SNMF and the transfer are CPU work of tens of milliseconds: on the thread pool, not the circuit's dispatcher.
        return await Task.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            var cell = CellImageDecoder.Decode(source.Path);
            var representatives = targets.Select(t =>
            {
                var candidates = t.Files.Select(CellImageDecoder.Decode).ToList();
                return candidates[StainTransferPreview.Representative(candidates, t.Print!)];
            }).ToList();
            cancellation.ThrowIfCancellationRequested();
            var transferred = StainTransferPreview.Transfer(cell, representatives, side);
            var before = StainTransferPreview.Descriptors([cell])[0];
            var after = StainTransferPreview.Descriptors(transferred);
            var cells = targets.Select((t, j) => new TransferredCell(t.Name, Png(transferred[j]),
                StainTransferPreview.Distance(before, t.Print!), StainTransferPreview.Distance(after[j], t.Print!))).ToList();
            return new TransferPreview(source, Png(cell), side, cells, skipped, watch.Elapsed);
        }, cancellation);
    }

    static byte[] Png(DecodedImage image) => Core.Imaging.PngEncoder.Encode(image);
}
