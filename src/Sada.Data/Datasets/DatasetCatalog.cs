using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Data;

namespace Sada.Data.Datasets;

public sealed record DatasetSummary(int Id, string Name, string? Description, bool IsSynthetic, DateTime CreatedAt, int CenterCount, int ImageCount, IReadOnlyList<string> Classes, IReadOnlyList<string> Centers);

/// <summary>A center as listings show it; <see cref="StainFingerprintJson"/> is null until the fingerprint is computed.</summary>
public sealed record CenterSummary(int Id, string Name, int ImageCount, IReadOnlyDictionary<string, int> ClassCounts, IReadOnlyList<string> ThumbnailHashes, string? StainFingerprintJson);

public sealed record DatasetDetails(int Id, string Name, string? Description, bool IsSynthetic, DateTime CreatedAt, IReadOnlyList<string> Classes, IReadOnlyList<CenterSummary> Centers, int RunCount)
{
    public int ImageCount => Centers.Sum(c => c.ImageCount);
}

public sealed record DeletedDataset(string Name, int Images, int Files);

/// <summary>One stored image of a center, for pickers: its row id, class, the name it was imported under and its file.</summary>
public sealed record StoredCell(long Id, string Center, string ClassName, string OriginalName, string Path);

/// <summary>One stored image of a center with its content hash, for callers that key on the file (the review gallery).</summary>
public sealed record StoredImage(long Id, string ClassName, string Hash, string Extension, string Path);

/// <summary>What a contact sheet shows: paths[center][class] are stored image files.</summary>
public sealed record SheetPlan(IReadOnlyList<string> Centers, IReadOnlyList<string> Classes, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Paths);

/// <summary>Reads and deletes registered datasets; the web pages and the CLI share it.</summary>
public sealed class DatasetCatalog(SadaDbContext db, ImageStore store)
{
    public IReadOnlyList<DatasetSummary> List()
    {
        var rows = db.Datasets.AsNoTracking().OrderBy(d => d.Name)
            .Select(d => new { d.Id, d.Name, d.Description, d.IsSynthetic, d.CreatedAt, Centers = d.Centers.OrderBy(c => c.Name).Select(c => new { c.Name, c.ImageCount, c.ClassCountsJson }).ToList() })
            .ToList();
        return rows.Select(d => new DatasetSummary(d.Id, d.Name, d.Description, d.IsSynthetic, d.CreatedAt, d.Centers.Count, d.Centers.Sum(c => c.ImageCount),
            CellClasses.Order(d.Centers.SelectMany(c => Counts(c.ClassCountsJson).Keys)), d.Centers.Select(c => c.Name).ToList())).ToList();
    }

    public DatasetDetails Show(string name)
    {
        var d = Find(name);
        var centers = db.Centers.AsNoTracking().Where(c => c.DatasetId == d.Id).OrderBy(c => c.Name).ToList()
            .Select(c => new CenterSummary(c.Id, c.Name, c.ImageCount, Counts(c.ClassCountsJson),
                JsonSerializer.Deserialize<List<string>>(c.ThumbnailHashesJson) ?? [], c.StainFingerprintJson)).ToList();
        int runs = db.Runs.Count(r => r.DatasetId == d.Id);
        return new DatasetDetails(d.Id, d.Name, d.Description, d.IsSynthetic, d.CreatedAt, CellClasses.Order(centers.SelectMany(c => c.ClassCounts.Keys)), centers, runs);
    }

    /// <summary>
    /// Deletes a dataset no run or study uses: its rows, then the stored files no other image references.
    /// Refused with a <see cref="DatasetException"/> naming the runs otherwise.
    /// </summary>
    public DeletedDataset Delete(string name)
    {
        var d = Find(name);
        var runs = db.Runs.Where(r => r.DatasetId == d.Id).Select(r => r.Id).OrderBy(id => id).ToList();
        int studies = db.Studies.Count(s => s.DatasetId == d.Id);
        if (runs.Count > 0 || studies > 0)
            throw new DatasetException($"dataset '{d.Name}' is used by {runs.Count} run(s)" +
                (runs.Count > 0 ? $" (#{string.Join(", #", runs.Take(10))}{(runs.Count > 10 ? ", ..." : "")})" : "") +
                (studies > 0 ? $" and {studies} study(ies)" : "") + "; its results refer to its images, so it cannot be deleted; delete those runs first");

        var hashes = db.CellImages.Where(i => i.Center!.DatasetId == d.Id).Select(i => i.Hash).Distinct().ToList();
        List<(string Hash, string Extension)> orphans;
        int images;
        using (var transaction = db.Database.BeginTransaction())
        {
            images = db.CellImages.Where(i => i.Center!.DatasetId == d.Id).ExecuteDelete();
            db.Centers.Where(c => c.DatasetId == d.Id).ExecuteDelete();
            db.Datasets.Where(x => x.Id == d.Id).ExecuteDelete();
            var unreferenced = db.StoredFiles.Where(f => hashes.Contains(f.Hash) && !db.CellImages.Any(i => i.Hash == f.Hash));
            orphans = unreferenced.Select(f => new { f.Hash, f.Extension }).AsEnumerable().Select(f => (f.Hash, f.Extension)).ToList();
            unreferenced.ExecuteDelete();
            transaction.Commit();
        }
        // Files go after the commit: a rolled-back delete must not have lost them.
        foreach (var (hash, extension) in orphans) store.Delete(hash, extension);
        db.ChangeTracker.Clear();
        return new DeletedDataset(d.Name, images, orphans.Count);
    }

    /// <summary>Up to <paramref name="perCell"/> stored files per center and class, for a contact sheet; only <paramref name="center"/>'s row when given.</summary>
    public SheetPlan SheetPlan(string name, int perCell = 2, string? center = null)
    {
        var details = Show(name);
        var centers = center is null ? details.Centers : details.Centers.Where(c => c.Name == center).ToList();
        if (center is not null && centers.Count == 0) throw new DatasetException($"dataset '{details.Name}' has no center '{center}'; its centers are {string.Join(", ", details.Centers.Select(c => c.Name))}");
        var paths = new List<IReadOnlyList<IReadOnlyList<string>>>();
        foreach (var c in centers)
        {
            var row = new List<IReadOnlyList<string>>();
            foreach (var cls in details.Classes)
            {
                var files = db.CellImages.AsNoTracking().Where(i => i.CenterId == c.Id && i.ClassName == cls)
                    .OrderBy(i => i.Id).Take(perCell).Select(i => new { i.Hash, i.File!.Extension }).ToList();
                row.Add(files.Select(f => store.PathFor(f.Hash, f.Extension)).ToList());
            }
            paths.Add(row);
        }
        return new SheetPlan(centers.Select(c => c.Name).ToList(), details.Classes, paths);
    }

    /// <summary>A page of a center's images (of one class when given), in import order.</summary>
    public IReadOnlyList<StoredCell> Cells(int datasetId, string center, string? className = null, int skip = 0, int take = 24)
    {
        var query = db.CellImages.AsNoTracking().Where(i => i.Center!.DatasetId == datasetId && i.Center.Name == center);
        if (className is not null) query = query.Where(i => i.ClassName == className);
        return query.OrderBy(i => i.Id).Skip(skip).Take(take)
            .Select(i => new { i.Id, i.ClassName, i.OriginalName, i.Hash, i.File!.Extension }).AsEnumerable()
            .Select(i => new StoredCell(i.Id, center, i.ClassName, i.OriginalName, store.PathFor(i.Hash, i.Extension))).ToList();
    }

    /// <summary>One image of the dataset by its row id; null when the id is not an image of this dataset.</summary>
    public StoredCell? Cell(int datasetId, long imageId) =>
        db.CellImages.AsNoTracking().Where(i => i.Id == imageId && i.Center!.DatasetId == datasetId)
            .Select(i => new { i.Id, Center = i.Center!.Name, i.ClassName, i.OriginalName, i.Hash, i.File!.Extension }).AsEnumerable()
            .Select(i => new StoredCell(i.Id, i.Center, i.ClassName, i.OriginalName, store.PathFor(i.Hash, i.Extension))).SingleOrDefault();

    /// <summary>The stored files of the given content hashes (a center's thumbnails), in the order given; unknown hashes are left out.</summary>
    public IReadOnlyList<string> FilesOf(IReadOnlyList<string> hashes)
    {
        var extensions = db.StoredFiles.AsNoTracking().Where(f => hashes.Contains(f.Hash)).ToDictionary(f => f.Hash, f => f.Extension);
        return hashes.Where(extensions.ContainsKey).Select(h => store.PathFor(h, extensions[h])).ToList();
    }

    /// <summary>The trainer's view of a stored dataset: centers by name, classes in vocabulary order, samples pointing at stored files.</summary>
    public MultiCenterDataset ToMultiCenterDataset(string name)
    {
        var d = Find(name);
        var centers = db.Centers.AsNoTracking().Where(c => c.DatasetId == d.Id).OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToList();
        var images = db.CellImages.AsNoTracking().Where(i => i.Center!.DatasetId == d.Id).OrderBy(i => i.Id)
            .Select(i => new { i.CenterId, i.ClassName, i.Hash, i.File!.Extension }).ToList();
        var classes = CellClasses.Order(images.Select(i => i.ClassName));
        var centerIndex = centers.Select((c, k) => (c.Id, k)).ToDictionary(x => x.Id, x => x.k);
        var classIndex = classes.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k);
        var samples = images.Select(i => new CellSample(centerIndex[i.CenterId], classIndex[i.ClassName], store.PathFor(i.Hash, i.Extension))).ToList();
        return new MultiCenterDataset(centers.Select(c => c.Name).ToList(), classes, samples);
    }

    public bool Any() => db.Datasets.Any();

    /// <summary>The dataset named <paramref name="nameOrId"/>, or with that id when no dataset has that name; null when none.</summary>
    public Entities.Dataset? FindByNameOrId(string nameOrId) =>
        db.Datasets.AsNoTracking().SingleOrDefault(d => d.Name == nameOrId)
        ?? (int.TryParse(nameOrId, out int id) ? db.Datasets.AsNoTracking().SingleOrDefault(d => d.Id == id) : null);

    /// <summary>The name of dataset <paramref name="id"/>; null when there is none.</summary>
    public string? NameOf(int id) => db.Datasets.AsNoTracking().Where(d => d.Id == id).Select(d => d.Name).SingleOrDefault();

    /// <summary>Every image of one center (matched without regard to case), in import order; empty for an unknown center.</summary>
    public IReadOnlyList<StoredImage> ImagesOf(int datasetId, string center)
    {
        var centerId = db.Centers.AsNoTracking().Where(c => c.DatasetId == datasetId).Select(c => new { c.Id, c.Name }).AsEnumerable()
            .FirstOrDefault(c => string.Equals(c.Name, center, StringComparison.OrdinalIgnoreCase))?.Id;
        if (centerId is null) return [];
        return db.CellImages.AsNoTracking().Where(i => i.CenterId == centerId).OrderBy(i => i.Id)
            .Select(i => new { i.Id, i.ClassName, i.Hash, i.File!.Extension }).AsEnumerable()
            .Select(i => new StoredImage(i.Id, i.ClassName, i.Hash, i.Extension, store.PathFor(i.Hash, i.Extension))).ToList();
    }

    Entities.Dataset Find(string name) =>
        db.Datasets.AsNoTracking().SingleOrDefault(d => d.Name == name)
        ?? throw new DatasetException($"no dataset named '{name}'" + (db.Datasets.Any() ? $"; the datasets are {string.Join(", ", db.Datasets.OrderBy(x => x.Name).Select(x => x.Name))}" : "; there are none yet"));

    static Dictionary<string, int> Counts(string json) => JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? [];
}
