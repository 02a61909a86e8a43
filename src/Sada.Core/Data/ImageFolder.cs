namespace Sada.Core.Data;

/// <summary>One image file of an ImageFolder tree, with its center and its class (folder name and normalised name).</summary>
public sealed record ImageFolderFile(string Center, string ClassFolder, string ClassName, string Path);

/// <summary>A file or folder the scan will not use, and why.</summary>
public sealed record ImageFolderProblem(string Path, string Reason);

/// <summary>One center of a scanned tree: its normalised classes with their files (several folders may fold into one class).</summary>
public sealed record ImageFolderCenter(string Name, IReadOnlyDictionary<string, IReadOnlyList<ImageFolderFile>> Classes)
{
    public int ImageCount => Classes.Values.Sum(c => c.Count);
}

/// <summary>The result of a scan: the centers found and every problem met on the way.</summary>
public sealed record ImageFolderScan(string Root, IReadOnlyList<ImageFolderCenter> Centers, IReadOnlyList<ImageFolderProblem> Problems)
{
    /// <summary>Every class name the tree uses, standard ones first in vocabulary order, then the others alphabetically.</summary>
    public IReadOnlyList<string> ClassNames => CellClasses.Order(Centers.SelectMany(c => c.Classes.Keys));
}

/// <summary>
/// The ImageFolder layout <c>root/&lt;center&gt;/&lt;class&gt;/&lt;image&gt;</c> (or, for one center,
/// <c>root/&lt;class&gt;/&lt;image&gt;</c>). The same path rules serve folders on disk and entries of a zip.
/// </summary>
public static class ImageFolder
{
    /// <summary>Extensions taken as images (lower case, with the dot).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string> { ".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff" };

    public static bool IsImageFile(string name) => ImageExtensions.Contains(Path.GetExtension(name).ToLowerInvariant());

    /// <summary>
    /// Where a relative path (segments) belongs: (center, class folder, file name), or the reason it does not.
    /// With <paramref name="center"/> given, the path is class/image; otherwise center/class/image.
    /// </summary>
    public static (string Center, string ClassFolder, string FileName)? Place(IReadOnlyList<string> segments, string? center, out string? problem)
    {
        int depth = center is null ? 3 : 2;
        problem = null;
        if (segments.Count != depth)
        {
            problem = center is null
                ? $"file at the wrong depth: expected <center>/<class>/<image>, found {segments.Count} level(s)"
                : $"file at the wrong depth: expected <class>/<image>, found {segments.Count} level(s)";
            return null;
        }
        var fileName = segments[^1];
        if (!IsImageFile(fileName))
        {
            problem = $"unsupported file type '{Path.GetExtension(fileName)}': expected {string.Join(", ", ImageExtensions.Order())}";
            return null;
        }
        return (center ?? segments[0], segments[^2], fileName);
    }

    /// <summary>Scans <c>root/&lt;center&gt;/&lt;class&gt;/&lt;image&gt;</c>.</summary>
    /// <param name="vetLink">
    /// Asked about every symbolic link met (file or folder): the reason to refuse it (for a server folder, a link that
    /// leaves the allowed roots), or null to follow it. Without it links are followed.
    /// </param>
    public static ImageFolderScan Scan(string root, Func<string, string?>? vetLink = null) => ScanTree(root, center: null, vetLink);

    /// <summary>Scans one center's <c>root/&lt;class&gt;/&lt;image&gt;</c>, naming the center <paramref name="center"/>.</summary>
    public static ImageFolderScan ScanCenter(string root, string center, Func<string, string?>? vetLink = null) => ScanTree(root, center, vetLink);

    static readonly EnumerationOptions OneLevel = new() { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };

    /// <summary>
    /// Walks the tree one level at a time, one level below the layout at most (its files are named as misplaced; deeper
    /// folders are named, not entered, so a link back up the tree cannot loop). Links are vetted before they are followed,
    /// and anything that is not a regular file (a device, a FIFO) is named and never opened.
    /// </summary>
    static ImageFolderScan ScanTree(string root, string? center, Func<string, string?>? vetLink)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"no folder at {root}");
        int layoutDepth = center is null ? 3 : 2;
        var problems = new List<ImageFolderProblem>();
        var found = new List<string>();
        var folders = new List<(string Path, int Depth)>();
        var walk = new Stack<(string Path, int Depth)>([(root, 0)]);
        while (walk.TryPop(out var folder))
        {
            foreach (var entry in new DirectoryInfo(folder.Path).EnumerateFileSystemInfos("*", OneLevel))
            {
                int depth = folder.Depth + 1;
                if (entry.LinkTarget is not null && vetLink?.Invoke(entry.FullName) is { } refusal)
                {
                    problems.Add(new(entry.FullName, refusal));
                    continue;
                }
                if (entry is DirectoryInfo)
                {
                    if (depth < layoutDepth + 1) { folders.Add((entry.FullName, depth)); walk.Push((entry.FullName, depth)); }
                    else problems.Add(new(entry.FullName, $"folder below the layout: expected {(center is null ? "<center>/<class>/<image>" : "<class>/<image>")}; its files are not imported"));
                    continue;
                }
                if (FileKind.NotRegular(entry.FullName) is { } kind)
                {
                    problems.Add(new(entry.FullName, $"not a regular file: it is {kind}"));
                    continue;
                }
                found.Add(entry.FullName);
            }
        }
        var files = new List<ImageFolderFile>();
        var holdImages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in found.Order(StringComparer.Ordinal))
        {
            var segments = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
            if (IsImageFile(path))
                for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir)) holdImages.Add(dir);
            var place = Place(segments, center, out var problem);
            if (place is null) { problems.Add(new(path, problem!)); continue; }
            var (c, folder, _) = place.Value;
            files.Add(new ImageFolderFile(c, folder, CellClasses.Normalize(folder), path));
        }
        // Class folders with no image in them: a likely mistake (a wrong copy), so it is named.
        foreach (var (dir, _) in folders.Where(f => f.Depth == layoutDepth - 1 && !holdImages.Contains(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
            problems.Add(new(dir, "empty class folder: it holds no image"));
        var centers = files.GroupBy(f => f.Center, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ImageFolderCenter(g.Key, g.GroupBy(f => f.ClassName)
                .ToDictionary(k => k.Key, k => (IReadOnlyList<ImageFolderFile>)k.ToList())))
            .ToList();
        if (center is not null && centers.Count == 0) centers.Add(new ImageFolderCenter(center, new Dictionary<string, IReadOnlyList<ImageFolderFile>>()));
        return new ImageFolderScan(root, centers, problems.OrderBy(p => p.Path, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The trainer's view of a folder (<c>sada train --data DIR</c>): every image file in place, classes
    /// normalised and ordered as <see cref="CellClasses.Order"/>. Images are decoded later, by the trainer;
    /// misplaced files are skipped (the scan lists them).
    /// </summary>
    public static MultiCenterDataset ToDataset(string root)
    {
        var scan = Scan(root);
        if (scan.Centers.Count == 0)
            throw new InvalidDataException($"{scan.Root} holds no <center>/<class>/<image> files" +
                (scan.Problems.Count > 0 ? $"; first problem: {scan.Problems[0].Path}: {scan.Problems[0].Reason}" : ""));
        return ToDataset(scan);
    }

    public static MultiCenterDataset ToDataset(ImageFolderScan scan)
    {
        var classes = scan.ClassNames;
        var centers = scan.Centers.Select(c => c.Name).ToList();
        var samples = new List<CellSample>();
        for (int ci = 0; ci < scan.Centers.Count; ci++)
            foreach (var (name, files) in scan.Centers[ci].Classes.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                int label = IndexOf(classes, name);
                samples.AddRange(files.Select(f => new CellSample(ci, label, f.Path)));
            }
        return new MultiCenterDataset(centers, classes, samples);
    }

    static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
