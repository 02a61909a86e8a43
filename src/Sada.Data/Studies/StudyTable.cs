using System.Globalization;
using System.Text;
using Sada.Data.Entities;

namespace Sada.Data.Studies;

/// <summary>One evaluation row as the table needs it (fractions in [0, 1]).</summary>
public sealed record EvaluationPoint(int Step, double? ValidationAccuracy, double? F1Micro, double? F1Macro);

/// <summary>
/// One run placed in the table: its row (variant), column (held-out center), seed, status and evaluations;
/// <paramref name="CollapseStep"/> when its stage 1 collapsed (<see cref="Run.CollapseStep"/>).
/// </summary>
public sealed record TableRun(int RunId, string Variant, string HeldOut, int Seed, RunStatus Status, IReadOnlyList<EvaluationPoint> Evaluations,
    int? CollapseStep = null);

/// <summary>
/// Mean and sample standard deviation (n - 1 denominator) over seeds, as fractions; <see cref="Std"/> is null
/// below 2 values, <see cref="Mean"/> null with none. <see cref="N"/> of <see cref="Expected"/> seeds contributed.
/// </summary>
public sealed record SeedStat(double? Mean, double? Std, int N, int Expected, IReadOnlyList<double> Values)
{
    public bool Complete => N >= Expected;

    public static SeedStat Of(IReadOnlyList<double> values, int expected)
    {
        if (values.Count == 0) return new(null, null, 0, expected, values);
        double mean = values.Average();
        double? std = values.Count < 2 ? null : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new(mean, std, values.Count, expected, values);
    }
}

/// <summary>
/// A cell: F1-micro and F1-macro over seeds, and whether each is the best of its column (at the shown precision);
/// <paramref name="Collapsed"/> of the seeds it counts had a run whose stage 1 collapsed (marked with a dagger).
/// </summary>
public sealed record TableCell(string Column, SeedStat F1Micro, SeedStat F1Macro, bool BestF1Micro, bool BestF1Macro, int Collapsed = 0);

/// <summary>A variant's row: one cell per held-out center, then the average cell.</summary>
public sealed record TableRow(string Variant, IReadOnlyList<TableCell> Cells);

/// <summary>
/// The paper-style summary of a set of runs (Table I of the SADA paper): rows are variants (methods and ablations),
/// columns the held-out centers then their average, each cell F1-micro and F1-macro as mean +- std over seeds.
/// See <see cref="Definition"/> for exactly what is computed.
/// </summary>
public sealed record StudyTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<int> Seeds, IReadOnlyList<TableRow> Rows)
{
    public const string AverageColumn = "average";

    public const string Definition =
        "F1-micro / F1-macro on the held-out center, in %. Each completed run contributes its selected evaluation: the evaluation row " +
        "with the highest validation accuracy on the training centers' validation splits (DomainBed's training-domain validation), " +
        "ties to the earliest step. A cell is mean +- sample standard deviation (n-1 denominator) over seeds; the std is left out with " +
        "fewer than 2 seeds. The average column averages over the held-out centers per seed (only seeds with every center done), then " +
        "takes mean +- sample std over those seeds. k/n marks a cell with only k of n seeds done. Best mean per column (at one decimal) in bold.";

    /// <summary>The footnote of a dagger: what a cell marked with one holds.</summary>
    public const string CollapseFootnote =
        "\u2020 k of the cell's seeds come from a run whose stage 1 collapsed (its contrastive loss sat at the uniform value, every " +
        "projection alike, for the run's CollapseWindow steps): those numbers come from features that learned nothing (docs/stage1-collapse.md).";

    /// <summary>Whether any cell counts a collapsed run.</summary>
    public bool HasCollapse => Rows.Any(r => r.Cells.Any(c => c.Collapsed > 0));

    /// <summary>The selected evaluation: highest validation accuracy, ties to the earliest step; null when no row has one.</summary>
    public static EvaluationPoint? Select(IEnumerable<EvaluationPoint> evaluations) =>
        evaluations.Where(e => e.ValidationAccuracy is not null)
            .OrderByDescending(e => e.ValidationAccuracy).ThenBy(e => e.Step).FirstOrDefault();

    /// <summary>
    /// Builds the table. <paramref name="variants"/> and <paramref name="centers"/> fix the row and column order (runs of
    /// others are appended in order of appearance); <paramref name="seeds"/> are the seeds each cell expects (by default
    /// every seed among the runs). Only completed runs with a selected evaluation count; with two such runs for one
    /// (variant, center, seed), the later run (higher id) counts.
    /// </summary>
    public static StudyTable Build(string title, IEnumerable<TableRun> runs, IEnumerable<string>? variants = null,
        IEnumerable<string>? centers = null, IEnumerable<int>? seeds = null)
    {
        var all = runs.ToList();
        var rowNames = (variants ?? []).Concat(all.Select(r => r.Variant)).Distinct().ToList();
        var columnNames = (centers ?? []).Concat(all.Select(r => r.HeldOut)).Distinct().ToList();
        var seedList = (seeds ?? all.Select(r => r.Seed).Distinct().Order()).ToList();
        int expected = seedList.Count;

        // (variant, center, seed) -> selected (F1-micro, F1-macro), and whether that run's stage 1 collapsed
        var selected = new Dictionary<(string, string, int), (double Micro, double Macro)>();
        var collapsed = new HashSet<(string, string, int)>();
        foreach (var run in all.Where(r => r.Status == RunStatus.Completed).OrderBy(r => r.RunId))
            if (Select(run.Evaluations) is { F1Micro: double micro, F1Macro: double macro })
            {
                selected[(run.Variant, run.HeldOut, run.Seed)] = (micro, macro);
                if (run.CollapseStep is null) collapsed.Remove((run.Variant, run.HeldOut, run.Seed));
                else collapsed.Add((run.Variant, run.HeldOut, run.Seed));
            }

        var stats = new List<(string Variant, List<(string Column, SeedStat Micro, SeedStat Macro, int Collapsed)> Cells)>();
        foreach (var variant in rowNames)
        {
            var cells = new List<(string, SeedStat, SeedStat, int)>();
            foreach (var center in columnNames)
            {
                var done = seedList.Where(s => selected.ContainsKey((variant, center, s))).ToList();
                var values = done.Select(s => selected[(variant, center, s)]).ToList();
                cells.Add((center, SeedStat.Of(values.Select(v => v.Micro).ToList(), expected), SeedStat.Of(values.Select(v => v.Macro).ToList(), expected),
                    done.Count(s => collapsed.Contains((variant, center, s)))));
            }
            var seedsDone = seedList.Where(s => columnNames.Count > 0 && columnNames.All(c => selected.ContainsKey((variant, c, s)))).ToList();
            var perSeed = seedsDone
                .Select(s => (Micro: columnNames.Average(c => selected[(variant, c, s)].Micro), Macro: columnNames.Average(c => selected[(variant, c, s)].Macro)))
                .ToList();
            // A seed's average is marked when any of its centers' runs collapsed.
            cells.Add((AverageColumn, SeedStat.Of(perSeed.Select(v => v.Micro).ToList(), expected), SeedStat.Of(perSeed.Select(v => v.Macro).ToList(), expected),
                seedsDone.Count(s => columnNames.Any(c => collapsed.Contains((variant, c, s))))));
            stats.Add((variant, cells));
        }

        int columns = columnNames.Count + 1;
        var bestMicro = Enumerable.Range(0, columns).Select(c => Best(stats.Select(s => s.Cells[c].Micro))).ToList();
        var bestMacro = Enumerable.Range(0, columns).Select(c => Best(stats.Select(s => s.Cells[c].Macro))).ToList();
        var rows = stats.Select(s => new TableRow(s.Variant, s.Cells.Select((c, i) =>
            new TableCell(c.Column, c.Micro, c.Macro, IsBest(c.Micro, bestMicro[i]), IsBest(c.Macro, bestMacro[i]), c.Collapsed)).ToList())).ToList();
        return new StudyTable(title, [.. columnNames, AverageColumn], seedList, rows);
    }

    static double? Best(IEnumerable<SeedStat> column) => column.Where(s => s.Mean is not null).Select(s => (double?)Shown(s.Mean!.Value)).Max();

    static bool IsBest(SeedStat stat, double? best) => stat.Mean is double m && best is double b && Shown(m) == b;

    /// <summary>A fraction as the table shows it: percent with one decimal.</summary>
    static double Shown(double fraction) => Math.Round(fraction * 100, 1, MidpointRounding.AwayFromZero);

    static string Pct(double? fraction, string format) => fraction is double f ? (f * 100).ToString(format, CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Long-format CSV, one line per (variant, column, metric):
    /// variant,held_out,metric,mean_pct,sample_std_pct,seeds_done,seeds_expected,best. Percentages with two decimals;
    /// sample_std_pct is the n-1 standard deviation (empty below 2 seeds); held_out "average" is the per-seed average over centers.
    /// </summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("variant,held_out,metric,mean_pct,sample_std_pct,seeds_done,seeds_expected,best\n");
        foreach (var row in Rows)
            foreach (var cell in row.Cells)
                foreach (var (metric, stat, best) in new[] { ("f1_micro", cell.F1Micro, cell.BestF1Micro), ("f1_macro", cell.F1Macro, cell.BestF1Macro) })
                    csv.Append(CsvField(row.Variant)).Append(',').Append(CsvField(cell.Column)).Append(',').Append(metric).Append(',')
                        .Append(Pct(stat.Mean, "F2")).Append(',').Append(Pct(stat.Std, "F2")).Append(',')
                        .Append(stat.N).Append(',').Append(stat.Expected).Append(',').Append(best ? "true" : "false").Append('\n');
        return csv.ToString();
    }

    /// <summary>
    /// A booktabs LaTeX table like the paper's Table I: "micro / macro" per cell, each mean $\pm$ std in % with one decimal,
    /// the best mean of each column in \textbf{}, incomplete cells followed by their seed count; the caption states the definition.
    /// </summary>
    public string ToLatex()
    {
        var tex = new StringBuilder();
        tex.Append("% ").Append(Definition).Append('\n');
        tex.Append("% Needs \\usepackage{booktabs}.\n");
        tex.Append("\\begin{table}[t]\n\\centering\n");
        tex.Append("\\caption{").Append(Latex(Title)).Append(": F1-micro / F1-macro (\\%) on the held-out center, mean $\\pm$ sample standard deviation ($n-1$) over ")
            .Append(Seeds.Count).Append(Seeds.Count == 1 ? " seed" : " seeds")
            .Append(" of each run's evaluation with the best training-domain validation accuracy; the average column averages over held-out centers per seed, then over seeds. Best per column in bold.}\n");
        tex.Append("\\begin{tabular}{l").Append(new string('c', Columns.Count)).Append("}\n\\toprule\n");
        tex.Append("Method & ").Append(string.Join(" & ", Columns.Select(c => c == AverageColumn ? "Average" : Latex(c)))).Append(" \\\\\n\\midrule\n");
        foreach (var row in Rows)
            tex.Append(Latex(row.Variant)).Append(" & ")
                .Append(string.Join(" & ", row.Cells.Select(c => $"{LatexStat(c.F1Micro, c.BestF1Micro)} / {LatexStat(c.F1Macro, c.BestF1Macro)}{Count(c.F1Micro)}")))
                .Append(" \\\\\n");
        tex.Append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        return tex.ToString();

        static string Count(SeedStat s) => s.Complete ? "" : $" ({s.N}/{s.Expected})";
    }

    static string LatexStat(SeedStat stat, bool best)
    {
        if (stat.Mean is null) return "--";
        var mean = Pct(stat.Mean, "F1");
        var text = best ? $"\\textbf{{{mean}}}" : mean;
        return stat.Std is null ? text : $"{text} $\\pm$ {Pct(stat.Std, "F1")}";
    }

    static string Latex(string text)
    {
        var s = new StringBuilder();
        foreach (char c in text)
            s.Append(c switch
            {
                '\\' => "\\textbackslash{}",
                '&' => "\\&",
                '%' => "\\%",
                '$' => "\\$",
                '#' => "\\#",
                '_' => "\\_",
                '{' => "\\{",
                '}' => "\\}",
                '~' => "\\textasciitilde{}",
                '^' => "\\textasciicircum{}",
                _ => c.ToString(),
            });
        return s.ToString();
    }

    static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
}
