using System.Collections.Concurrent;
using Sada.Core.Imaging;

namespace Sada.Core.Training;

/// <summary>
/// A run's images, each decoded once at the start (so unreadable files are found before the first step) and kept reduced
/// to what its use needs (<see cref="ImagePreparation"/>) as long as they fit in a memory budget; the rest are read and
/// decoded again from disk whenever a batch needs them. A re-decoded image is byte for byte the kept one would have been,
/// so the budget changes memory and speed, never a result. Safe to read from several threads.
/// </summary>
public sealed class BoundedImageCache(int imageSize, long budgetBytes)
{
    readonly record struct Key(string Path, ImageUse Use);

    readonly ConcurrentDictionary<Key, PreparedImage> _kept = new();
    readonly ConcurrentDictionary<Key, byte> _readable = new();
    readonly ConcurrentDictionary<string, UnreadableImage> _unreadable = new(StringComparer.Ordinal);
    long _bytes, _decodedAgain;

    public int ImageSize => imageSize;
    public long BudgetBytes => budgetBytes;
    public IReadOnlyCollection<UnreadableImage> Unreadable => _unreadable.Values.OrderBy(u => u.Path, StringComparer.Ordinal).ToList();
    /// <summary>Readable images (a file used both to train and to evaluate counts twice).</summary>
    public int Count => _readable.Count;
    public int KeptCount => _kept.Count;
    /// <summary>Bytes of pixels held, at most <see cref="BudgetBytes"/>.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>Images read and decoded again because they did not fit (since the cache was made).</summary>
    public long DecodedAgain => Interlocked.Read(ref _decodedAgain);

    /// <summary>A budget of <paramref name="megabytes"/> MiB; 0 keeps nothing (every use decodes again).</summary>
    public static BoundedImageCache WithMegabytes(int imageSize, int megabytes)
    {
        if (megabytes < 0) throw new ArgumentException($"The image cache budget must be 0 or more megabytes, not {megabytes}.");
        return new BoundedImageCache(imageSize, megabytes * 1048576L);
    }

    public bool Contains(string path, ImageUse use) => _readable.ContainsKey(new Key(path, use));

    /// <summary>The image prepared for <paramref name="use"/>: kept, or read and decoded again.</summary>
    public PreparedImage Get(string path, ImageUse use)
    {
        var key = new Key(path, use);
        if (_kept.TryGetValue(key, out var image)) return image;
        if (!_readable.ContainsKey(key)) throw new KeyNotFoundException($"Image {path} was not loaded for {use} (unreadable or never listed).");
        Interlocked.Increment(ref _decodedAgain);
        return ImagePreparation.Prepare(CellImageDecoder.Decode(path), use, imageSize);
    }

    /// <summary>
    /// Decodes every listed image not yet seen, in parallel, keeping those that fit the budget in the order they finish.
    /// Progress reports (done, total).
    /// </summary>
    public void Load(IEnumerable<(string Path, ImageUse Use)> images, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        var todo = images.Select(i => new Key(i.Path, i.Use)).Distinct().Where(k => !_readable.ContainsKey(k)).ToArray();
        int done = 0;
        var options = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.ForEach(todo, options, key =>
        {
            try
            {
                var image = ImagePreparation.Prepare(CellImageDecoder.Decode(key.Path), key.Use, imageSize);
                _readable[key] = 0;
                if (Interlocked.Add(ref _bytes, image.Bytes) <= budgetBytes) _kept[key] = image;
                else Interlocked.Add(ref _bytes, -image.Bytes);
            }
            catch (Exception e) when (e is CellImageException or IOException or UnauthorizedAccessException)
            {
                _unreadable[key.Path] = new UnreadableImage(key.Path, e.Message);
            }
            int d = Interlocked.Increment(ref done);
            if (d % 64 == 0 || d == todo.Length) progress?.Report((d, todo.Length));
        });
    }
}
