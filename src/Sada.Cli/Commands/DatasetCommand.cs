using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Configuration;
using Sada.Core.Data;
using Sada.Core.Imaging;
using Sada.Core.Stain;
using Sada.Core.Synthetic;
using Sada.Data;
using Sada.Data.Datasets;

namespace Sada.Cli.Commands;

/// <summary>`sada dataset ...`: import, list, show, delete, synth and sheet.</summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Register, inspect and generate multi-center cell datasets.");
        command.Add(Import());
        command.Add(List());
        command.Add(Show());
        command.Add(Delete());
        command.Add(Synth());
        command.Add(Sheet());
        return command;
    }

    /// <summary>Runs a command body with the config loaded, turning expected failures into a message and exit code 1.</summary>
    static int Guarded(ParseResult result, Func<SadaOptions, TextWriter, TextWriter, int> body)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        try
        {
            return body(CliSettings.Load(), output, error);
        }
        catch (Exception e) when (e is DatasetException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or CellImageException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    static SadaDbContext OpenDatabase(SadaOptions options)
    {
        var db = SadaDataServices.CreateContext(CliSettings.LoadDatabase(), options.ResolveDatabasePath());
        db.MigrateSadaDatabase();
        return db;
    }

    static Command Import()
    {
        var path = new Argument<string>("path") { Description = "A folder or a .zip laid out as <center>/<class>/<image> (with --center: <class>/<image>)." };
        var name = new Option<string>("--name") { Description = "The dataset's name.", Required = true };
        var center = new Option<string?>("--center") { Description = "Import PATH as this one new center of dataset NAME." };
        var allowNew = new Option<bool>("--allow-new-classes") { Description = "Accept class names outside the vocabulary as new classes." };
        var command = new Command("import", "Import a dataset (or one new center) from a folder or a zip.") { path, name, center, allowNew };
        command.SetAction(result => Guarded(result, (options, output, error) =>
        {
            using var db = OpenDatabase(options);
            var importer = new DatasetImporter(db, new ImageStore(options.ResolveDataDirectory()), new ImportLimits());
            var request = new ImportRequest(result.GetValue(name)!, result.GetValue(center), result.GetValue(allowNew));
            var source = result.GetValue(path)!;
            var progress = new ConsoleProgress<ImportProgress>(output, p => $"{p.Center}: {p.Done}/{p.Total} images");
            var watch = Stopwatch.StartNew();
            ImportReport report;
            if (File.Exists(source) && source.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                using var stream = File.OpenRead(source);
                report = importer.ImportZip(stream, request, progress);
            }
            else if (Directory.Exists(source)) report = importer.ImportFolder(source, request, progress);
            else throw new DatasetException($"{source} is neither a folder nor a .zip file");
            WriteReport(report, output, error, watch.Elapsed);
            return report.Centers.Any(c => !c.Imported) ? 1 : 0;
        }));
        return command;
    }

    static void WriteReport(ImportReport report, TextWriter output, TextWriter error, TimeSpan elapsed)
    {
        foreach (var c in report.Centers)
        {
            if (c.Imported)
                output.WriteLine($"center {c.Name}: {c.ImageCount} images ({string.Join(", ", c.ClassCounts.Select(kv => $"{kv.Key} {kv.Value}"))}); " +
                    $"{c.NewFiles} new files, {c.Duplicates} already stored");
            else error.WriteLine($"center {c.Name}: not imported: {c.Error}");
        }
        foreach (var r in report.Refused) error.WriteLine($"refused {r.Path}: {r.Reason}");
        foreach (var n in report.Notes) output.WriteLine($"note: {n.Path}: {n.Note}");
        foreach (var o in report.Overlaps.Take(20))
            output.WriteLine($"warning: the same image is in {string.Join(" and ", o.Places)} (it leaks between training and held-out centers)");
        if (report.Overlaps.Count > 20) output.WriteLine($"warning: {report.Overlaps.Count - 20} more images shared between centers");
        if (report.Duplicates > 0) output.WriteLine($"{report.Duplicates} image(s) were already stored (duplicates): no new file for them");
        output.WriteLine($"dataset {report.Dataset}: {report.Centers.Count(c => c.Imported)} of {report.Centers.Count} center(s) imported, " +
            $"{report.Refused.Count} file(s) refused, in {elapsed.TotalSeconds:F1} s");
    }

    static Command List()
    {
        var command = new Command("list", "List the datasets.");
        command.SetAction(result => Guarded(result, (options, output, _) =>
        {
            using var db = OpenDatabase(options);
            var datasets = new DatasetCatalog(db, new ImageStore(options.ResolveDataDirectory())).List();
            if (datasets.Count == 0) { output.WriteLine("no datasets (import one with `sada dataset import`, or generate one with `sada dataset synth`)"); return 0; }
            output.WriteLine($"{"name",-30} {"centers",7} {"images",8}  classes");
            foreach (var d in datasets)
                output.WriteLine($"{d.Name,-30} {d.CenterCount,7} {d.ImageCount,8}  {string.Join(", ", d.Classes)}{(d.IsSynthetic ? "  (synthetic)" : "")}");
            return 0;
        }));
        return command;
    }

    static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var command = new Command("show", "Show a dataset's images per center and class.") { name };
        command.SetAction(result => Guarded(result, (options, output, _) =>
        {
            using var db = OpenDatabase(options);
            var d = new DatasetCatalog(db, new ImageStore(options.ResolveDataDirectory())).Show(result.GetValue(name)!);
            output.WriteLine($"dataset {d.Name}: {d.Centers.Count} centers, {d.ImageCount} images{(d.IsSynthetic ? " (synthetic)" : "")}, {d.RunCount} run(s)");
            output.Write($"{"center",-20}");
            foreach (var c in d.Classes) output.Write($" {c,11}");
            output.WriteLine($" {"total",8}");
            foreach (var c in d.Centers)
            {
                output.Write($"{c.Name,-20}");
                foreach (var cls in d.Classes) output.Write($" {c.ClassCounts.GetValueOrDefault(cls),11}");
                output.WriteLine($" {c.ImageCount,8}");
            }
            PrintFingerprints(d.Centers, output);
            return 0;
        }));
        return command;
    }

    /// <summary>Each center's median stain vectors and background (optical density) and the distances between centers.</summary>
    static void PrintFingerprints(IReadOnlyList<CenterSummary> centers, TextWriter output)
    {
        var prints = centers.Select(c => (c.Name, Print: StainFingerprint.FromJson(c.StainFingerprintJson))).ToList();
        output.WriteLine();
        output.WriteLine("stain fingerprints (median SNMF optical-density vectors; the color is exp(-OD)):");
        foreach (var (center, print) in prints)
        {
            if (print is null) { output.WriteLine($"{center,-20} not computed"); continue; }
            string Vector(double[] v) => $"({string.Join(", ", v.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))})";
            string Hex(double[] rgb) => "#" + string.Concat(rgb.Select(x => ((int)Math.Round(Math.Clamp(x, 0, 1) * 255)).ToString("x2", CultureInfo.InvariantCulture)));
            output.WriteLine($"{center,-20} " + string.Join("  ", print.Stains.Select((w, i) => $"stain {i + 1} {Vector(w)} {Hex(print.StainColor(i))}")) +
                             $"  background {Vector(print.Background)} {Hex(print.BackgroundColor())}  ({print.Images} images)");
        }
        var known = prints.Where(p => p.Print is not null).ToList();
        if (known.Count < 2) return;
        output.WriteLine();
        output.WriteLine("distance between fingerprints:");
        output.Write($"{"",-20}");
        foreach (var (center, _) in known) output.Write($" {center,12}");
        output.WriteLine();
        foreach (var (a, pa) in known)
        {
            output.Write($"{a,-20}");
            foreach (var (_, pb) in known) output.Write($" {StainFingerprint.Distance(pa!, pb!),12:F3}");
            output.WriteLine();
        }
    }

    static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var command = new Command("delete", "Delete a dataset no run used, with its files no other dataset shares.") { name };
        command.SetAction(result => Guarded(result, (options, output, _) =>
        {
            using var db = OpenDatabase(options);
            var deleted = new DatasetCatalog(db, new ImageStore(options.ResolveDataDirectory())).Delete(result.GetValue(name)!);
            output.WriteLine($"deleted dataset {deleted.Name}: {deleted.Images} image rows, {deleted.Files} stored files");
            return 0;
        }));
        return command;
    }

    static Command Synth()
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write <center>/<class>/<image>.png into.", Required = true };
        var centers = new Option<int>("--centers") { Description = "Number of centers.", DefaultValueFactory = _ => 4 };
        var perCenter = new Option<int>("--per-center") { Description = "Images per center.", DefaultValueFactory = _ => 500 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 96 };
        var seed = new Option<int>("--seed") { Description = "Random seed (the same seed writes the same bytes).", DefaultValueFactory = _ => 0 };
        var command = new Command("synth", "Generate a synthetic multi-center blood-cell set as an ImageFolder tree of PNGs.") { outDir, centers, perCenter, size, seed };
        command.SetAction(result => Guarded(result, (_, output, _) =>
        {
            var set = new SyntheticBloodCells(new SyntheticSetOptions(result.GetValue(centers), result.GetValue(perCenter), result.GetValue(size), result.GetValue(seed)));
            var target = Path.GetFullPath(result.GetValue(outDir)!);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
                throw new DatasetException($"{target} is not empty; pick a new folder");
            var watch = Stopwatch.StartNew();
            set.WriteImageFolder(target, new ConsoleProgress<SynthProgress>(output, p => $"rendered {p.Done}/{p.Total}"));
            for (int c = 0; c < set.Styles.Count; c++)
                output.WriteLine($"{set.Styles[c].Name}: {string.Join(", ", set.ClassCounts[c].Select(kv => $"{kv.Key} {kv.Value}"))}");
            output.WriteLine($"wrote {set.Cells.Count} images to {target} in {watch.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }

    static Command Sheet()
    {
        var name = new Argument<string>("name") { Description = "A dataset's name (or an ImageFolder directory)." };
        var outFile = new Option<string>("--out") { Description = "The PNG file to write.", Required = true };
        var tile = new Option<int>("--tile") { Description = "Tile side in pixels.", DefaultValueFactory = _ => 64 };
        var perCell = new Option<int>("--per-cell") { Description = "Images per center and class.", DefaultValueFactory = _ => 2 };
        var command = new Command("sheet", "Write a contact sheet PNG: one row per center, one column per class.") { name, outFile, tile, perCell };
        command.SetAction(result => Guarded(result, (options, output, _) =>
        {
            var source = result.GetValue(name)!;
            int k = Math.Max(1, result.GetValue(perCell));
            SheetPlan plan;
            if (Directory.Exists(source))
            {
                var scan = ImageFolder.Scan(source);
                var classes = scan.ClassNames;
                plan = new SheetPlan(scan.Centers.Select(c => c.Name).ToList(), classes,
                    scan.Centers.Select(c => (IReadOnlyList<IReadOnlyList<string>>)classes
                        .Select(cls => (IReadOnlyList<string>)(c.Classes.TryGetValue(cls, out var f) ? f.Take(k).Select(x => x.Path).ToList() : [])).ToList()).ToList());
            }
            else
            {
                using var db = OpenDatabase(options);
                plan = new DatasetCatalog(db, new ImageStore(options.ResolveDataDirectory())).SheetPlan(source, k);
            }
            var png = ContactSheet.Render(plan.Centers, plan.Classes, plan.Paths, result.GetValue(tile), k);
            var target = Path.GetFullPath(result.GetValue(outFile)!);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, png);
            output.WriteLine($"wrote {target} ({plan.Centers.Count} centers x {plan.Classes.Count} classes, {png.Length / 1024} KB)");
            return 0;
        }));
        return command;
    }

    /// <summary>Progress on one line that rewrites itself on a terminal, and a line per report otherwise (at most every 2 s).</summary>
    sealed class ConsoleProgress<T>(TextWriter output, Func<T, string> format) : IProgress<T>
    {
        readonly Stopwatch since = Stopwatch.StartNew();
        readonly Lock gate = new();

        public void Report(T value)
        {
            lock (gate)
            {
                if (since.Elapsed < TimeSpan.FromSeconds(2)) return;
                since.Restart();
                output.WriteLine(format(value));
            }
        }
    }
}
