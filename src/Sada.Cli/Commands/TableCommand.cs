using System.CommandLine;
using System.Globalization;
using System.Text;
using Sada.Core.Training;
using Sada.Data.Entities;
using Sada.Data.Studies;

namespace Sada.Cli.Commands;

/// <summary>
/// `sada table`: the paper-style table (<see cref="StudyTable"/>, as the workbench's studies) of results files that
/// `sada train --out` wrote, one row per config, one column per held-out center, mean +- std over seeds; and on request
/// a chart of held-out accuracy over steps.
/// </summary>
public static class TableCommand
{
    public static Command Create()
    {
        var files = new Argument<FileSystemInfo[]>("results") { Description = "Results files of `sada train --out`, or folders of them (*.json)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "markdown, csv or latex", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong("markdown", "csv", "latex");
        var title = new Option<string>("--title") { DefaultValueFactory = _ => "Held-out results" };
        var chart = new Option<FileInfo?>("--chart") { Description = "Also write a PNG of held-out accuracy over steps, mean over seeds and centers per row" };
        var command = new Command("table", "The paper-style table of `sada train --out` results: rows are configs, columns held-out centers.")
        {
            files, format, title, chart,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            List<(string Path, TrainingReport Report)> reports;
            try { reports = Load(result.GetValue(files)!); }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                error.WriteLine($"error: {e.Message}");
                return 2;
            }
            if (reports.Count == 0)
            {
                error.WriteLine("error: no results files (*.json) found");
                return 2;
            }
            var runs = Runs(reports);
            var table = StudyTable.Build(result.GetValue(title)!, runs);
            output.Write(result.GetValue(format) switch
            {
                "csv" => table.ToCsv(),
                "latex" => table.ToLatex(),
                _ => Markdown(table),
            });
            if (result.GetValue(chart) is { } png)
            {
                AccuracyChart.Write(png.FullName, "Held-out accuracy over steps (mean over seeds and held-out centers)", runs);
                output.WriteLine($"chart written to {png.FullName}");
            }
            return 0;
        });
        return command;
    }

    static List<(string, TrainingReport)> Load(IEnumerable<FileSystemInfo> inputs)
    {
        var paths = new List<string>();
        foreach (var input in inputs)
        {
            if (input is DirectoryInfo { Exists: true } dir) paths.AddRange(dir.GetFiles("*.json").Select(f => f.FullName).Order(StringComparer.Ordinal));
            else if (File.Exists(input.FullName)) paths.Add(input.FullName);
            else throw new FileNotFoundException($"results file or folder not found: {input.FullName}");
        }
        return paths.Select(p => (p, TrainingReport.Load(p))).ToList();
    }

    /// <summary>
    /// One table run per held-out center of each report. A row is named by what its config says that not every
    /// report's says (the algorithm and initialisation always), so rows differ by exactly what was varied.
    /// </summary>
    public static List<TableRun> Runs(IReadOnlyList<(string Path, TrainingReport Report)> reports)
    {
        var described = reports.Select(r => StudyService.Describe(r.Report.Config).Split(' ')).ToList();
        var common = described.Skip(1).Aggregate(described[0].Skip(2).ToHashSet(), (set, d) => { set.IntersectWith(d.Skip(2)); return set; });
        var runs = new List<TableRun>();
        for (var i = 0; i < reports.Count; i++)
        {
            var variant = string.Join(" ", described[i].Take(2).Concat(described[i].Skip(2).Where(t => !common.Contains(t))));
            foreach (var run in reports[i].Report.Runs)
                runs.Add(new TableRun(runs.Count + 1, variant, run.HeldOut, run.Config.Seed, RunStatus.Completed,
                    run.Evaluations.Select(e => new EvaluationPoint(e.Step, e.ValidationAccuracy, e.HeldOut.Accuracy, e.HeldOut.F1Macro)).ToList(),
                    run.Collapse?.Step));
        }
        return runs;
    }

    /// <summary>The table as Markdown: "F1-micro / F1-macro" per cell, mean +- std in %, best per column in bold, k/n for missing seeds.</summary>
    public static string Markdown(StudyTable table)
    {
        var md = new StringBuilder();
        md.Append("| Method | ").Append(string.Join(" | ", table.Columns.Select(c => c == StudyTable.AverageColumn ? "Average" : c))).Append(" |\n");
        md.Append("|---|").Append(string.Concat(table.Columns.Select(_ => "---|"))).Append('\n');
        foreach (var row in table.Rows)
            md.Append("| ").Append(row.Variant).Append(" | ")
                .Append(string.Join(" | ", row.Cells.Select(c => $"{Stat(c.F1Micro, c.BestF1Micro)} / {Stat(c.F1Macro, c.BestF1Macro)}{(c.F1Micro.Complete ? "" : $" ({c.F1Micro.N}/{c.F1Micro.Expected})")}{(c.Collapsed > 0 ? $" \u2020{c.Collapsed}" : "")}")))
                .Append(" |\n");
        md.Append('\n').Append(StudyTable.Definition).Append('\n');
        if (table.HasCollapse) md.Append('\n').Append(StudyTable.CollapseFootnote).Append('\n');
        return md.ToString();

        static string Stat(SeedStat s, bool best)
        {
            if (s.Mean is not double mean) return "-";
            var text = (mean * 100).ToString("F1", CultureInfo.InvariantCulture);
            if (best) text = $"**{text}**";
            return s.Std is double std ? $"{text} ± {(std * 100).ToString("F1", CultureInfo.InvariantCulture)}" : text;
        }
    }
}
