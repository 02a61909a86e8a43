using Sada.Core.Data;

namespace Sada.Core.Imaging;

/// <summary>
/// Reads an image file's bytes without trusting it: anything but a regular file (a device such as /dev/zero, a FIFO, a
/// socket) is refused before it is opened, and never more than its reported length, at most a limit, is read.
/// </summary>
public static class ImageFile
{
    /// <exception cref="CellImageException">Not a regular file, larger than <paramref name="maxBytes"/>, or unreadable; the message says which (not the path).</exception>
    public static byte[] Read(string path, long maxBytes)
    {
        if (FileKind.NotRegular(path) is { } kind)
            throw new CellImageException($"not a regular file: it is {kind}");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            long length = stream.Length;
            if (length > maxBytes)
                throw new CellImageException($"file too large: {length:N0} bytes, over the {maxBytes:N0}-byte limit for one image");
            var bytes = new byte[length];
            // A file that shrank meanwhile gives fewer bytes; one that grew is read only up to the length checked.
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) Array.Resize(ref bytes, read);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CellImageException($"cannot read the file: {e.Message}");
        }
    }
}
