using Microsoft.EntityFrameworkCore;

namespace Sada.Data.Datasets;

/// <summary>
/// Stored files no row points to, left by an import that the process's death stopped between writing a center's files
/// and committing its rows (every failure the importer sees cleans up itself; a kill cannot). Removed at the start of the
/// next import once older than <see cref="Age"/>, so the files of an import still under way elsewhere (the CLI beside the
/// web app) are never taken.
/// </summary>
public static class OrphanFiles
{
    /// <summary>No center's import runs this long between writing a file and committing its row.</summary>
    public static readonly TimeSpan Age = TimeSpan.FromDays(1);

    /// <summary>Deletes the orphans (and half-written temporary files) last written before <paramref name="now"/> - <see cref="Age"/>; returns how many.</summary>
    public static int Sweep(SadaDbContext db, ImageStore store, DateTime now)
    {
        if (!Directory.Exists(store.Root)) return 0;
        var cutoff = now - Age;
        var old = new List<(string Path, string? Hash)>();
        foreach (var file in new DirectoryInfo(store.Root).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.LastWriteTimeUtc >= cutoff) continue;
            // ".<hash>.<guid>.tmp": a write the process did not finish; otherwise "<hash><ext>".
            bool temporary = file.Name.StartsWith('.') && file.Name.EndsWith(".tmp", StringComparison.Ordinal);
            var hash = Path.GetFileNameWithoutExtension(file.Name);
            if (temporary) old.Add((file.FullName, null));
            else if (hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)) old.Add((file.FullName, hash));
        }
        int removed = 0;
        foreach (var batch in old.Chunk(500))
        {
            var hashes = batch.Where(b => b.Hash is not null).Select(b => b.Hash!).ToList();
            var referenced = db.StoredFiles.AsNoTracking().Where(s => hashes.Contains(s.Hash)).Select(s => s.Hash).ToHashSet();
            foreach (var (path, hash) in batch)
            {
                if (hash is not null && referenced.Contains(hash)) continue;
                try { File.Delete(path); removed++; }
                catch (IOException) { } // in use or gone meanwhile: the next sweep sees it again
            }
        }
        return removed;
    }
}
