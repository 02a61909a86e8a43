using System.Collections.Concurrent;
using Sada.Core.Imaging;

namespace Sada.Core.Training;

/// <summary>A file that could not be decoded, with the reason; reported by name, never dropped silently.</summary>
public sealed record UnreadableImage(string Path, string Reason);

/// <summary>
/// Every image of a run decoded once, in parallel, and kept in memory, so an epoch never decodes a JPEG twice.
/// Files that fail to decode are listed with their reason and left out.
/// </summary>
public sealed class DecodedImageCache
{
    readonly ConcurrentDictionary<string, DecodedImage> _images = new(StringComparer.Ordinal);
    readonly ConcurrentBag<UnreadableImage> _unreadable = [];

    public IReadOnlyCollection<UnreadableImage> Unreadable => _unreadable;
    public int Count => _images.Count;
    public long Bytes => _images.Values.Sum(i => (long)i.Rgb.Length);

    public bool Contains(string path) => _images.ContainsKey(path);

    public DecodedImage this[string path] =>
        _images.TryGetValue(path, out var image) ? image : throw new KeyNullException(path);

    /// <summary>Decodes every path not yet cached. Progress reports (done, total).</summary>
    public void Load(IEnumerable<string> paths, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        var todo = paths.Distinct(StringComparer.Ordinal).Where(p => !_images.ContainsKey(p)).ToArray();
        int done = 0;
        var options = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(todo, options, path =>
        {
            try
            {
                _images[path] = CellImageDecoder.Decode(path);
            }
            catch (Exception e) when (e is CellImageException or IOException or UnauthorizedAccessException)
            {
                _unreadable.Add(new UnreadableImage(path, e.Message));
            }
            int d = Interlocked.Increment(ref done);
            if (d % 64 == 0 || d == todo.Length) progress?.Report((d, todo.Length));
        });
    }

    sealed class KeyNullException(string path) : KeyNotFoundException($"Image {path} was not decoded (unreadable or never loaded).");
}
