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
    public static ImageFolderScan Scan(string root) => ScanTree(root, center: null);

    /// <summary>Scans one center's <c>root/&lt;class&gt;/&lt;image&gt;</c>, naming the center <paramref name="center"/>.</summary>
    public static ImageFolderScan ScanCenter(string root, string center) => ScanTree(root, center);

    static ImageFolderScan ScanTree(string root, string? center)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"no folder at {root}");
        var problems = new List<ImageFolderProblem>();
        var files = new List<ImageFolderFile>();
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        foreach (var path in Directory.EnumerateFiles(root, "*", enumeration).Order(StringComparer.Ordinal))
        {
            var segments = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
            var place = Place(segments, center, out var problem);
            if (place is null) { problems.Add(new(path, problem!)); continue; }
            var (c, folder, _) = place.Value;
            files.Add(new ImageFolderFile(c, folder, CellClasses.Normalize(folder), path));
        }
        // Class folders with no image in them: a likely mistake (a wrong copy), so it is named.
        int classDepth = center is null ? 2 : 1;
        foreach (var dir in Directory.EnumerateDirectories(root, "*", enumeration).Order(StringComparer.Ordinal))
        {
            var depth = Path.GetRelativePath(root, dir).Split(Path.DirectorySeparatorChar).Length;
            if (depth == classDepth && !Directory.EnumerateFiles(dir, "*", enumeration).Any(IsImageFile))
                problems.Add(new(dir, "empty class folder: it holds no image"));
        }
        var centers = files.GroupBy(f => f.Center, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ImageFolderCenter(g.Key, g.GroupBy(f => f.ClassName)
                .ToDictionary(k => k.Key, k => (IReadOnlyList<ImageFolderFile>)k.ToList())))
            .ToList();
        if (center is not null && centers.Count == 0) centers.Add(new ImageFolderCenter(center, new Dictionary<string, IReadOnlyList<ImageFolderFile>>()));
        return new ImageFolderScan(root, centers, problems);
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
