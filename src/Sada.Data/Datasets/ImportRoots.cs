namespace Sada.Data.Datasets;

/// <summary>
/// The server folders datasets may be imported from. A folder is accepted only when its real path (every <c>..</c>
/// and symbolic link resolved, as the operating system would) lies inside the real path of one root, so neither
/// <c>root/../etc</c> nor a link inside a root pointing elsewhere gets out. No roots: server-folder import is off.
/// </summary>
public sealed class ImportRoots
{
    const int MaxLinks = 40; // as Linux's ELOOP limit: a cycle of links fails instead of looping

    readonly StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <param name="roots">Configured folders; blank entries are ignored.</param>
    public ImportRoots(IEnumerable<string> roots)
    {
        Configured = roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).ToList();
        Resolved = Configured.Select(RealPath).Distinct().ToList();
    }

    /// <summary>The roots as configured, for messages.</summary>
    public IReadOnlyList<string> Configured { get; }

    /// <summary>The roots' real paths, which folders are checked against.</summary>
    public IReadOnlyList<string> Resolved { get; }

    public bool Enabled => Configured.Count > 0;

    /// <summary>
    /// The real path of <paramref name="folder"/> when it is an existing folder inside a root; otherwise a
    /// <see cref="DatasetException"/> naming the folder, what it resolves to, and the roots.
    /// </summary>
    public string Resolve(string folder)
    {
        if (!Enabled) throw new DatasetException("importing from a server folder is off: no allowed import root is configured");
        if (string.IsNullOrWhiteSpace(folder)) throw new DatasetException("give the server folder to import");
        var real = RealPath(folder.Trim());
        if (!Resolved.Any(root => Inside(real, root)))
        {
            var shown = real == Path.GetFullPath(folder.Trim()) ? $"'{folder.Trim()}'" : $"'{folder.Trim()}' (resolved: '{real}')";
            throw new DatasetException($"the folder {shown} is outside the allowed import roots: {string.Join(", ", Configured.Select(r => $"'{r}'"))}");
        }
        if (!Directory.Exists(real)) throw new DatasetException($"no folder '{folder.Trim()}' on the server");
        return real;
    }

    /// <summary>
    /// For a symbolic link met while walking an accepted folder: null when its real path stays inside a root, else why it
    /// is refused, naming the link and where it leads. A link may lead anywhere, so every one is resolved, not only the folder.
    /// </summary>
    public string? Escape(string link)
    {
        string real;
        try { real = RealPath(link); }
        catch (DatasetException e) { return e.Message; }
        return Resolved.Any(root => Inside(real, root))
            ? null
            : $"symbolic link leaves the allowed import roots: '{link}' resolves to '{real}', outside {string.Join(", ", Configured.Select(r => $"'{r}'"))}";
    }

    bool Inside(string path, string root)
    {
        var r = root.Length > 1 ? root.TrimEnd(Path.DirectorySeparatorChar) : root;
        if (path.Equals(r, comparison)) return true;
        return path.StartsWith(r.EndsWith(Path.DirectorySeparatorChar) ? r : r + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>
    /// The path with "." and ".." applied and symbolic links replaced by their targets, component by component, the
    /// way the kernel walks it: a ".." after a link climbs from the link's target, not from where the link sits.
    /// Components that do not exist are kept as written.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path);
        var current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(Segments(full[current.Length..]).Reverse());
        int links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current; // the root's parent is the root
                continue;
            }
            var next = Path.Combine(current, segment);
            if (new FileInfo(next).LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new DatasetException($"too many symbolic links in '{path}'");
                // The target's components are walked next, from the root when it is absolute, else from the link's folder.
                if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
                foreach (var s in Segments(Path.IsPathRooted(target) ? target[Path.GetPathRoot(target)!.Length..] : target).Reverse()) pending.Push(s);
                continue;
            }
            current = next;
        }
        return current;
    }

    static string[] Segments(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
