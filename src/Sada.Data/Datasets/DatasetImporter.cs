using System.IO.Compression;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Data;
using Sada.Core.Imaging;
using Sada.Core.Stain;
using Sada.Data.Entities;

namespace Sada.Data.Datasets;

/// <summary>
/// Imports ImageFolder trees (a folder on the server or a zip) into the database and the <see cref="ImageStore"/>.
/// Single bad files are refused and listed, the rest imports; a center fails as a whole (no rows, no files
/// newly written for it) when it has no valid image, uses classes outside the vocabulary without permission,
/// meets an I/O error, a zip bomb, a cancellation or anything unforeseen (which also stops the import). One database
/// transaction per center; a new dataset's row is written in its first center's.
/// </summary>
public sealed class DatasetImporter(SadaDbContext db, ImageStore store, ImportLimits? limits = null)
{
    readonly ImportLimits limits = limits ?? new ImportLimits();

    /// <summary>Representative images kept per center, one per class first.</summary>
    const int Thumbnails = 8;

    /// <summary>A file of the source, whatever its container; <see cref="Read"/> may throw <see cref="CellImageException"/> (refuse the file) or <see cref="DatasetException"/> (fail the center).</summary>
    sealed record SourceFile(string Center, string ClassFolder, string FileName, string DisplayPath, Func<byte[]> Read);

    /// <param name="within">
    /// The allowed roots of a server-folder import: every symbolic link met in the tree must resolve inside them, or it is
    /// refused and not followed. Null (the CLI, on the user's own files): links are followed.
    /// </param>
    public ImportReport ImportFolder(string path, ImportRequest request, IProgress<ImportProgress>? progress = null, ImportRoots? within = null,
        CancellationToken cancellationToken = default)
    {
        Func<string, string?>? vetLink = within is null ? null : within.Escape;
        var scan = request.Center is null ? ImageFolder.Scan(path, vetLink) : ImageFolder.ScanCenter(path, request.Center, vetLink);
        var refused = scan.Problems.Select(p => new RefusedFile(p.Path, p.Reason)).ToList();
        var files = scan.Centers.SelectMany(c => c.Classes.Values.SelectMany(v => v))
            .Select(f => new SourceFile(f.Center, f.ClassFolder, Path.GetFileName(f.Path), f.Path, () => ReadFile(f.Path)))
            .ToList();
        return Import(files, refused, request, progress, cancellationToken);
    }

    /// <summary>A device or FIFO (its length reads 0) is refused unopened; no more than the limit is ever read.</summary>
    byte[] ReadFile(string path) => ImageFile.Read(path, limits.MaxImageBytes);

    /// <summary>
    /// Imports a zip laid out as the folder would be (a single top-level folder wrapping it is allowed). The
    /// entry count and the declared uncompressed total are checked before anything is extracted; the sizes
    /// actually inflated are counted again while reading, since headers can lie.
    /// </summary>
    public ImportReport ImportZip(Stream zip, ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string? tempCopy = null;
        try
        {
            if (!zip.CanSeek)
            {
                // ZipArchive needs to seek to the central directory; spool to disk within the size limit.
                tempCopy = Path.Combine(Path.GetTempPath(), $"sada-upload-{Guid.NewGuid():N}.zip");
                using (var file = File.Create(tempCopy)) CopyLimited(zip, file, limits.MaxZipBytes);
                zip = File.OpenRead(tempCopy);
            }
            else if (zip.Length - zip.Position > limits.MaxZipBytes)
                throw new DatasetException($"zip too large: {zip.Length - zip.Position} bytes, over the {limits.MaxZipBytes}-byte limit");

            ZipArchive archive;
            try { archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e) { throw new DatasetException($"not a readable zip file: {e.Message}", e); }
            using (archive)
            {
                var entries = archive.Entries;
                if (entries.Count > limits.MaxEntries)
                    throw new DatasetException($"zip bomb refused: {entries.Count} entries, over the limit of {limits.MaxEntries}; nothing was extracted");
                long declared = entries.Sum(e => e.Length);
                if (declared > limits.MaxUncompressedBytes)
                    throw new DatasetException($"zip bomb refused: {declared} bytes uncompressed, over the limit of {limits.MaxUncompressedBytes}; nothing was extracted");

                var refused = new List<RefusedFile>();
                var candidates = new List<(ZipArchiveEntry Entry, string[] Segments)>();
                var classDirs = new HashSet<string>(StringComparer.Ordinal);
                foreach (var entry in entries)
                {
                    var name = entry.FullName;
                    if (ZipSlip(name) is { } slip) { refused.Add(new(name, slip)); continue; }
                    var segments = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
                    if (segments.Length == 0 || segments[0] == "__MACOSX") continue; // macOS metadata, not content
                    if (name.EndsWith('/') || name.EndsWith('\\')) { classDirs.Add(string.Join('/', segments)); continue; }
                    candidates.Add((entry, segments));
                }
                int depth = request.Center is null ? 3 : 2;
                // A zip made by compressing the dataset's folder wraps everything in that folder: unwrap it.
                bool unwrap = candidates.Count > 0 && candidates.All(c => c.Segments.Length > 1 && c.Segments[0] == candidates[0].Segments[0])
                    && !candidates.Any(c => c.Segments.Length == depth) && candidates.Any(c => c.Segments.Length == depth + 1);
                var files = new List<SourceFile>();
                var budget = new InflateBudget(limits.MaxUncompressedBytes);
                var filledDirs = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (entry, raw) in candidates)
                {
                    var segments = unwrap ? raw[1..] : raw;
                    var place = ImageFolder.Place(segments, request.Center, out var problem);
                    if (place is null) { refused.Add(new(entry.FullName, problem!)); continue; }
                    var (center, folder, fileName) = place.Value;
                    filledDirs.Add(string.Join('/', raw[..^1]));
                    var e = entry;
                    files.Add(new SourceFile(center, folder, fileName, entry.FullName, () => ReadEntry(e, budget)));
                }
                foreach (var dir in classDirs.Order(StringComparer.Ordinal))
                {
                    var level = dir.Split('/').Length - (unwrap ? 1 : 0);
                    if (level == depth - 1 && !filledDirs.Contains(dir)) refused.Add(new(dir + "/", "empty class folder: it holds no image"));
                }
                return Import(files, refused, request, progress, cancellationToken);
            }
        }
        finally
        {
            if (tempCopy is not null)
            {
                zip.Dispose();
                File.Delete(tempCopy);
            }
        }
    }

    /// <summary>Why an entry name is a zip-slip attempt, or null: a ".." segment or an absolute (rooted or drive) path.</summary>
    static string? ZipSlip(string name)
    {
        var n = name.Replace('\\', '/');
        if (n.StartsWith('/') || (n.Length >= 2 && char.IsAsciiLetter(n[0]) && n[1] == ':'))
            return "zip slip refused: the entry has an absolute path";
        if (n.Split('/').Any(s => s == ".."))
            return "zip slip refused: the entry's path climbs out of the archive with '..'";
        return null;
    }

    sealed class InflateBudget(long limit)
    {
        long used;
        public void Spend(long bytes, string entry)
        {
            if (Interlocked.Add(ref used, bytes) > limit)
                throw new DatasetException($"zip bomb refused: inflating {entry} took the total over {limit} bytes uncompressed");
        }
    }

    byte[] ReadEntry(ZipArchiveEntry entry, InflateBudget budget)
    {
        if (entry.Length > limits.MaxImageBytes)
            throw new CellImageException($"file too large: {entry.Length} bytes, over the {limits.MaxImageBytes}-byte limit for one image");
        try
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream((int)Math.Min(entry.Length, limits.MaxImageBytes));
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                budget.Spend(read, entry.FullName);
                buffer.Write(chunk, 0, read);
                // The header said Length; inflating more means it lied (the classic bomb).
                if (buffer.Length > entry.Length)
                    throw new DatasetException($"zip bomb refused: {entry.FullName} inflates beyond its declared {entry.Length} bytes");
            }
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new CellImageException($"corrupt zip entry: {e.Message}");
        }
    }

    static void CopyLimited(Stream from, Stream to, long limit)
    {
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = from.Read(chunk, 0, chunk.Length)) > 0)
        {
            total += read;
            if (total > limit) throw new DatasetException($"zip too large: over the {limit}-byte limit");
            to.Write(chunk, 0, read);
        }
    }

    ImportReport Import(List<SourceFile> files, List<RefusedFile> refused, ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Dataset)) throw new DatasetException("the dataset needs a name");
        var datasetName = request.Dataset.Trim();
        if (request.Center is { } c0 && string.IsNullOrWhiteSpace(c0)) throw new DatasetException("the center needs a name");
        if (files.Count == 0)
            throw new DatasetException(request.Center is null
                ? "no images found: expected <center>/<class>/<image> files" + (refused.Count > 0 ? $" ({refused.Count} file(s) refused, first: {refused[0].Path}: {refused[0].Reason})" : "")
                : "no images found: expected <class>/<image> files" + (refused.Count > 0 ? $" ({refused.Count} file(s) refused, first: {refused[0].Path}: {refused[0].Reason})" : ""));

        OrphanFiles.Sweep(db, store, DateTime.UtcNow);
        var existing = db.Datasets.SingleOrDefault(d => d.Name == datasetName);
        if (existing is not null && request.Center is null)
            throw new DatasetException($"dataset '{datasetName}' already exists: add a center to it with --center NAME, or pick another name");
        // A new dataset's row is written in the transaction of its first center, so no failure or crash leaves it empty.
        var target = new DatasetTarget(existing?.Id ?? 0, () => new Dataset { Name = datasetName, IsSynthetic = request.IsSynthetic, Description = request.Description, CreatedAt = DateTime.UtcNow });

        var results = new List<CenterImportResult>();
        var overlaps = new List<ImageOverlap>();
        var notes = new List<ImportNote>();
        string? abortAll = null;
        foreach (var group in files.GroupBy(f => f.Center, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (abortAll is not null)
            {
                results.Add(Failed(group.Key, abortAll));
                continue;
            }
            var result = ImportCenter(target, group.Key, group.ToList(), refused, overlaps, notes, request, progress, cancellationToken, out var fatal);
            results.Add(result);
            if (fatal) abortAll = $"import stopped: {result.Error}";
        }
        return new ImportReport(datasetName, target.Id == 0 ? null : target.Id, results, refused, overlaps) { Notes = notes };
    }

    /// <summary>The dataset the centers go into: <see cref="Id"/> 0 until a new one is written with its first center.</summary>
    sealed class DatasetTarget(int id, Func<Dataset> create)
    {
        public int Id { get; set; } = id;
        public Dataset Create() => create();
    }

    static CenterImportResult Failed(string center, string error) => new(center, false, error, 0, new Dictionary<string, int>(), 0, 0);

    sealed record Accepted(string Hash, string Extension, long Size, int Width, int Height, string ClassName, string OriginalName, string DisplayPath);

    CenterImportResult ImportCenter(DatasetTarget target, string centerName, List<SourceFile> files, List<RefusedFile> refused, List<ImageOverlap> overlaps,
        List<ImportNote> notes, ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken cancellationToken, out bool fatal)
    {
        fatal = false;
        int datasetId = target.Id;
        db.ChangeTracker.Clear();
        if (db.Centers.Any(c => c.DatasetId == datasetId && c.Name == centerName))
            return Failed(centerName, $"center '{centerName}' already exists in dataset '{request.Dataset}'");

        // Vocabulary: the standard classes and those the dataset already accepted.
        var known = db.CellImages.Where(i => i.Center!.DatasetId == datasetId).Select(i => i.ClassName).Distinct().ToHashSet();
        var unknown = files.Where(f => !CellClasses.IsStandard(CellClasses.Normalize(f.ClassFolder)) && !known.Contains(CellClasses.Normalize(f.ClassFolder)))
            .Select(f => f.ClassFolder).Distinct().Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 && !request.AllowNewClasses)
            return Failed(centerName, $"class name(s) outside the vocabulary ({string.Join(", ", CellClasses.Standard)}): " +
                $"{string.Join(", ", unknown.Select(u => $"'{u}'"))}; allow new classes to import them (--allow-new-classes)");

        var newlyWritten = new List<(string Hash, string Extension)>();
        var accepted = new List<Accepted>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        // The images the stain fingerprint is computed from: a seeded sample, decoded here anyway.
        var sampled = StainFingerprint.SampleIndices(files.Count, seed: files.Count);
        var sample = new List<(DecodedImage Image, string Path)>();
        try
        {
            for (int n = 0; n < files.Count; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var f = files[n];
                try
                {
                    var bytes = f.Read();
                    var image = CellImageDecoder.Decode(bytes);
                    var hash = ImageStore.Hash(bytes);
                    if (seen.TryGetValue(hash, out var first))
                        throw new CellImageException($"duplicate: the same bytes as {first} in this center");
                    seen[hash] = f.DisplayPath;
                    var extension = ImageStore.NormalizeExtension(Path.GetExtension(f.FileName));
                    // An image stored earlier keeps its first extension: one file per content.
                    var stored = db.StoredFiles.AsNoTracking().Where(s => s.Hash == hash).Select(s => s.Extension).FirstOrDefault();
                    if (stored is not null) extension = stored;
                    if (store.Write(hash, extension, bytes)) newlyWritten.Add((hash, extension));
                    accepted.Add(new Accepted(hash, extension, bytes.Length, image.Width, image.Height, CellClasses.Normalize(f.ClassFolder), f.FileName, f.DisplayPath));
                    if (sampled.Contains(n)) sample.Add((image, f.DisplayPath));
                }
                catch (CellImageException e)
                {
                    refused.Add(new RefusedFile(f.DisplayPath, e.Message));
                }
                if (progress is not null && ((n + 1) % 50 == 0 || n + 1 == files.Count)) progress.Report(new ImportProgress(centerName, n + 1, files.Count));
            }
            if (accepted.Count == 0)
            {
                Cleanup(newlyWritten);
                return Failed(centerName, $"no valid image in center '{centerName}' ({files.Count} file(s), all refused)");
            }
            var print = StainFingerprint.TryCompute(sample.Select(x => x.Image).ToList(), out var leftOut);
            // A uniform image (one colour) is a valid cell image with no stain to separate: kept, but not in the fingerprint.
            foreach (var i in leftOut)
                notes.Add(new ImportNote(sample[i].Path, "left out of the stain fingerprint: the image is uniform (one colour), it holds no stain to separate"));
            if (print is null)
                notes.Add(new ImportNote(centerName, $"center '{centerName}' has no stain fingerprint: every sampled image is uniform"));
            return Commit(target, centerName, accepted, newlyWritten, overlaps, print?.ToJson());
        }
        catch (OperationCanceledException)
        {
            Cleanup(newlyWritten);
            throw;
        }
        catch (DatasetException e)
        {
            Cleanup(newlyWritten);
            fatal = true; // a zip bomb: nothing more is read from this archive
            return Failed(centerName, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DbUpdateException)
        {
            Cleanup(newlyWritten);
            return Failed(centerName, $"{e.GetType().Name}: {e.Message}");
        }
        catch (Exception e)
        {
            // Unforeseen (a bug, memory): this center leaves nothing behind, and nothing more is read after it.
            Cleanup(newlyWritten);
            fatal = true;
            return Failed(centerName, $"unexpected {e.GetType().Name}: {e.Message}");
        }
    }

    CenterImportResult Commit(DatasetTarget target, string centerName, List<Accepted> accepted, List<(string Hash, string Extension)> newlyWritten,
        List<ImageOverlap> overlaps, string? fingerprintJson)
    {
        db.ChangeTracker.Clear();
        var hashes = accepted.Select(a => a.Hash).ToList();
        var existing = db.StoredFiles.Where(s => hashes.Contains(s.Hash)).Select(s => s.Hash).ToHashSet();
        // Duplicates: images whose bytes some center (of any dataset) had stored before this one.
        int duplicates = accepted.Count(a => existing.Contains(a.Hash));
        var counts = CellClasses.Order(accepted.Select(a => a.ClassName))
            .ToDictionary(c => c, c => accepted.Count(a => a.ClassName == c));
        var thumbnails = counts.Keys.Select(c => accepted.First(a => a.ClassName == c).Hash)
            .Concat(accepted.Select(a => a.Hash)).Distinct().Take(Thumbnails).ToList();
        var center = new Center
        {
            DatasetId = target.Id,
            Dataset = target.Id == 0 ? target.Create() : null,
            Name = centerName,
            ImageCount = accepted.Count,
            ClassCountsJson = JsonSerializer.Serialize(counts),
            ThumbnailHashesJson = JsonSerializer.Serialize(thumbnails),
            StainFingerprintJson = fingerprintJson,
            CreatedAt = DateTime.UtcNow,
        };
        foreach (var a in accepted)
        {
            if (!existing.Contains(a.Hash))
            {
                db.StoredFiles.Add(new StoredFile { Hash = a.Hash, Extension = a.Extension, SizeBytes = a.Size, Width = a.Width, Height = a.Height });
                existing.Add(a.Hash);
            }
            center.Images.Add(new CellImage { ClassName = a.ClassName, OriginalName = a.OriginalName, Hash = a.Hash, Width = a.Width, Height = a.Height });
        }
        using (var transaction = db.Database.BeginTransaction())
        {
            try
            {
                db.Centers.Add(center);
                db.SaveChanges();
                transaction.Commit();
                target.Id = center.DatasetId;
            }
            catch
            {
                transaction.Rollback();
                db.ChangeTracker.Clear();
                throw;
            }
        }

        // The same bytes in another center of this dataset: warn, since it leaks across the held-out split.
        var shared = db.CellImages.AsNoTracking()
            .Where(i => hashes.Contains(i.Hash) && i.Center!.DatasetId == target.Id && i.CenterId != center.Id)
            .Select(i => new { i.Hash, Center = i.Center!.Name, i.ClassName, i.OriginalName })
            .ToList();
        foreach (var g in shared.GroupBy(s => s.Hash))
        {
            var mine = accepted.Where(a => a.Hash == g.Key).Select(a => $"{centerName}/{a.ClassName}/{a.OriginalName}");
            overlaps.Add(new ImageOverlap(g.Key, g.Select(s => $"{s.Center}/{s.ClassName}/{s.OriginalName}").Concat(mine).ToList()));
        }
        db.ChangeTracker.Clear();
        return new CenterImportResult(centerName, true, null, accepted.Count, counts, newlyWritten.Count, duplicates);
    }

    /// <summary>Removes files this center wrote, unless a stored row (another import, meanwhile) now references them.</summary>
    void Cleanup(List<(string Hash, string Extension)> written)
    {
        if (written.Count == 0) return;
        db.ChangeTracker.Clear();
        var hashes = written.Select(w => w.Hash).ToList();
        var referenced = db.StoredFiles.Where(s => hashes.Contains(s.Hash)).Select(s => s.Hash).ToHashSet();
        foreach (var (hash, extension) in written)
            if (!referenced.Contains(hash)) store.Delete(hash, extension);
    }
}
