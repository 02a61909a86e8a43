using System.Security.Cryptography;
using System.Text;
using Sada.Core.Imaging;
using Sada.Data.Datasets;

namespace Sada.Workbench.Datasets;

/// <summary>A dataset as the listing shows it: its centers, images, and images per class over all centers.</summary>
public sealed record DatasetRow(int Id, string Name, bool IsSynthetic, DateTime CreatedAt, IReadOnlyList<string> Centers, int Images,
    IReadOnlyList<KeyValuePair<string, int>> ClassCounts);

/// <summary>A rendered contact sheet and the tag of what it shows (stored files are named by content, so equal tags mean equal sheets).</summary>
public sealed record RenderedSheet(byte[] Png, string ETag);

/// <summary>The dataset pages' and endpoints' reads, through the same <see cref="DatasetCatalog"/> the CLI uses, one database context per call.</summary>
public sealed class DatasetBrowser(DatasetReads datasets)
{
    public const int SheetTile = 64;
    public const int SheetPerCell = 3;

    public async Task<IReadOnlyList<DatasetRow>> ListAsync()
    {
        return await datasets.ReadAsync(catalog => catalog.List().Select(d =>
        {
            var details = catalog.Show(d.Name);
            var counts = details.Classes.Select(c => KeyValuePair.Create(c, details.Centers.Sum(x => x.ClassCounts.GetValueOrDefault(c)))).ToList();
            return new DatasetRow(d.Id, d.Name, d.IsSynthetic, d.CreatedAt, d.Centers, d.ImageCount, counts);
        }).ToList());
    }

    /// <summary>The dataset with its centers' counts and fingerprints; null when there is none by that id.</summary>
    public async Task<DatasetDetails?> GetAsync(int id)
    {
        return await datasets.ReadAsync(catalog => catalog.NameOf(id) is { } name ? catalog.Show(name) : null);
    }

    /// <summary>A page of a center's cells (of one class when given), for the cell picker.</summary>
    public async Task<IReadOnlyList<StoredCell>> CellsAsync(int datasetId, string center, string? className, int skip, int take)
    {
        return await datasets.ReadAsync(catalog => catalog.Cells(datasetId, center, className, skip, take));
    }

    /// <summary>
    /// One center's contact sheet (a column per class, <see cref="SheetPerCell"/> cells each) unless its tag equals
    /// <paramref name="knownETag"/>, when the caller's copy is current and nothing is rendered (Png empty).
    /// Null when the dataset or center does not exist.
    /// </summary>
    public async Task<RenderedSheet?> SheetAsync(string nameOrId, string center, string? knownETag = null)
    {
        var plan = await datasets.ReadAsync(catalog =>
        {
            if (catalog.FindByNameOrId(nameOrId) is not { } dataset) return null;
            try { return catalog.SheetPlan(dataset.Name, SheetPerCell, center); }
            catch (DatasetException) { return null; }
        });
        if (plan is null) return null;
        var etag = Tag(plan);
        if (etag == knownETag) return new RenderedSheet([], etag);
        // Skia decodes the files and encodes the PNG: tens of milliseconds, off the request's thread.
        var png = await Task.Run(() => ContactSheet.Render(plan.Centers, plan.Classes, plan.Paths, SheetTile, SheetPerCell));
        return new RenderedSheet(png, etag);
    }

    /// <summary>One stored cell as PNG (whatever its stored format, TIFF included); null when it is not an image of the dataset.</summary>
    public async Task<(byte[] Png, string ETag)?> CellPngAsync(string nameOrId, long imageId)
    {
        var cell = await datasets.ReadAsync(catalog => catalog.FindByNameOrId(nameOrId) is { } dataset ? catalog.Cell(dataset.Id, imageId) : null);
        if (cell is null) return null;
        var image = CellImageDecoder.Decode(cell.Path);
        return (Core.Imaging.PngEncoder.Encode(image), $"\"{Path.GetFileNameWithoutExtension(cell.Path)}\"");
    }

    /// <summary>An ETag for a sheet: the content hashes (file names) it draws, its layout and the renderer's settings.</summary>
    static string Tag(SheetPlan plan)
    {
        var text = new StringBuilder($"{SheetTile}x{SheetPerCell}|{string.Join(",", plan.Centers)}|{string.Join(",", plan.Classes)}");
        foreach (var row in plan.Paths)
            foreach (var cell in row) text.Append('|').AppendJoin(",", cell.Select(Path.GetFileName));
        return $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32]}\"";
    }
}
