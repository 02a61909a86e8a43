using System.Runtime.InteropServices;

namespace Sada.Core.Data;

/// <summary>
/// What a path is once symbolic links are followed: a regular file or something else (a device such as
/// <c>/dev/zero</c>, a FIFO, a socket). Reading a device or a FIFO never ends or blocks, and its length reads 0, so no
/// size check catches it: anything that is not a regular file must be refused before it is opened.
/// </summary>
public static partial class FileKind
{
    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (links followed); otherwise what it is ("a character device",
    /// "a FIFO (named pipe)", "a folder", "missing", ...), for a message.
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows paths to devices (\\.\...) do not go through the file system's listing; folders and missing paths do.
            if (Directory.Exists(path)) return "a folder";
            return File.Exists(path) ? null : "missing";
        }
        return Mode(path) switch
        {
            null => "missing or unreadable",
            var m => (m.Value & TypeMask) switch
            {
                Regular => null,
                Directory_ => "a folder",
                CharacterDevice => "a character device",
                BlockDevice => "a block device",
                Fifo => "a FIFO (named pipe)",
                Socket => "a socket",
                _ => "not a regular file",
            },
        };
    }

    // File type bits of st_mode as the runtime's System.Native reports them (the POSIX values).
    const int TypeMask = 0xF000, Fifo = 0x1000, CharacterDevice = 0x2000, Directory_ = 0x4000, BlockDevice = 0x6000, Regular = 0x8000, Socket = 0xC000;

    /// <summary>st_mode of the link's final target, or null when it cannot be read (missing, a dangling link, no permission).</summary>
    static int? Mode(string path)
    {
        // The runtime's own stat shim: its FileStatus starts with two int32s (Flags, Mode) on every Unix, unlike libc's struct stat.
        Span<byte> status = stackalloc byte[512];
        try
        {
            unsafe
            {
                fixed (byte* p = status)
                    if (Stat(path, p) != 0) return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No shim (an unusual runtime): a regular file is what File.Exists calls a file; devices then pass this check,
            // and the bounded reads of the callers (never more than the reported length) still keep them harmless.
            return File.Exists(path) ? Regular : Directory.Exists(path) ? Directory_ : null;
        }
        return MemoryMarshal.Read<int>(status[4..]);
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* output);
}
