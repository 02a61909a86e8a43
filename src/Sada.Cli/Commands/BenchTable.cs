using System.CommandLine;

namespace Sada.Cli.Commands;

/// <summary>A benchmark's table: aligned columns for a terminal or, with --markdown, a Markdown table to paste into docs as printed.</summary>
internal sealed class BenchTable(params string[] headers)
{
    readonly List<string[]> _rows = [];

    public static Option<bool> MarkdownOption() => new("--markdown") { Description = "Print the tables as Markdown (to paste into docs as printed)." };

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"A row needs {headers.Length} cells, not {cells.Length}.");
        _rows.Add(cells);
    }

    public void Write(TextWriter output, bool markdown)
    {
        if (markdown)
        {
            output.WriteLine("| " + string.Join(" | ", headers) + " |");
            output.WriteLine("|" + string.Join("|", headers.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
            foreach (var row in _rows) output.WriteLine("| " + string.Join(" | ", row) + " |");
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
        output.WriteLine(Line(headers));
        foreach (var row in _rows) output.WriteLine(Line(row));
    }
}
