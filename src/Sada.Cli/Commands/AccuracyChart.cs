using System.Globalization;
using Sada.Data.Studies;
using SkiaSharp;

namespace Sada.Cli.Commands;

/// <summary>A line chart of held-out accuracy (F1-micro) over steps per table row, averaged over its seeds and held-out centers.</summary>
public static class AccuracyChart
{
    static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28),
        new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f),
    ];

    /// <summary>Per row, the mean held-out accuracy at each step that every one of its runs evaluated.</summary>
    public static IReadOnlyList<(string Variant, IReadOnlyList<(int Step, double Accuracy)> Points)> Curves(IEnumerable<TableRun> runs) =>
        runs.GroupBy(r => r.Variant).Select(g =>
        {
            var steps = g.Select(r => r.Evaluations.Select(e => e.Step).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; });
            IReadOnlyList<(int, double)> points = steps.Order()
                .Select(s => (s, g.Average(r => r.Evaluations.First(e => e.Step == s).F1Micro ?? 0))).ToList();
            return (g.Key, points);
        }).ToList();

    public static void Write(string path, string title, IEnumerable<TableRun> runs)
    {
        const int width = 900, height = 520, left = 70, right = 250, top = 50, bottom = 60;
        var curves = Curves(runs);
        var maxStep = Math.Max(1, curves.SelectMany(c => c.Points).Select(p => p.Step).DefaultIfEmpty(1).Max());
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        // Skia's portable Linux build has no default font: the contact sheet's lookup of a system font file.
        var typeface = Sada.Core.Imaging.ContactSheet.LabelTypeface();
        using var font = new SKFont(typeface, 14);
        using var small = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xdd, 0xdd, 0xdd), StrokeWidth = 1 };
        float X(double step) => left + (float)(step / maxStep) * (width - left - right);
        float Y(double accuracy) => top + (float)(1 - accuracy) * (height - top - bottom);

        canvas.DrawText(title, left, 28, SKTextAlign.Left, font, ink);
        for (var a = 0; a <= 10; a += 2)
        {
            var y = Y(a / 10.0);
            canvas.DrawLine(left, y, width - right, y, grid);
            canvas.DrawText($"{a * 10} %", left - 8, y + 4, SKTextAlign.Right, small, ink);
        }
        foreach (var step in curves.SelectMany(c => c.Points).Select(p => p.Step).Distinct().Order())
            canvas.DrawText(step.ToString(CultureInfo.InvariantCulture), X(step), height - bottom + 18, SKTextAlign.Center, small, ink);
        canvas.DrawText("step", (left + width - right) / 2f, height - 15, SKTextAlign.Center, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 18, (top + height - bottom) / 2f);
        canvas.DrawText("held-out accuracy (F1-micro)", 18, (top + height - bottom) / 2f, SKTextAlign.Center, small, ink);
        canvas.Restore();
        canvas.DrawLine(left, top, left, height - bottom, ink);
        canvas.DrawLine(left, height - bottom, width - right, height - bottom, ink);

        for (var i = 0; i < curves.Count; i++)
        {
            using var line = new SKPaint { Color = Palette[i % Palette.Length], StrokeWidth = 2.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var dot = new SKPaint { Color = line.Color, IsAntialias = true };
            var points = curves[i].Points;
            for (var p = 1; p < points.Count; p++)
                canvas.DrawLine(X(points[p - 1].Step), Y(points[p - 1].Accuracy), X(points[p].Step), Y(points[p].Accuracy), line);
            foreach (var (step, accuracy) in points) canvas.DrawCircle(X(step), Y(accuracy), 4, dot);
            var legendY = top + 10 + i * 24;
            canvas.DrawLine(width - right + 20, legendY, width - right + 45, legendY, line);
            canvas.DrawText(curves[i].Variant, width - right + 52, legendY + 5, SKTextAlign.Left, small, ink);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
