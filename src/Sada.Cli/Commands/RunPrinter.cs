using System.Globalization;
using Sada.Data.Runs.Events;

namespace Sada.Cli.Commands;

/// <summary>
/// What `sada watch` prints of each event a <see cref="RunFeed"/> passes on (already merged: history first, each once).
/// Losses are printed by the names the algorithm gave them. <see cref="Finished"/> ends with the final status, or
/// "Disconnected" when the connection closed first.
/// </summary>
public sealed class RunPrinter(int runId, TextWriter output)
{
    readonly object _gate = new();
    readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<string> Finished => _finished.Task;

    public void Print(object message)
    {
        lock (_gate)
        {
            switch (message)
            {
                case RunStatusMessage s: Status(s); break;
                case MetricMessage m: output.WriteLine(Evaluation(m)); break;
                case ProgressMessage p: output.WriteLine(Progress(p)); break;
                case LogMessage l: output.WriteLine($"[{l.Level}] {l.Message}"); break;
                case EmbeddingMessage e: output.WriteLine(Embedding(e)); break;
            }
        }
    }

    public void Disconnected(string reason)
    {
        lock (_gate)
            if (_finished.TrySetResult("Disconnected")) output.WriteLine($"disconnected before the run ended: {reason}");
    }

    void Status(RunStatusMessage s)
    {
        if (_finished.Task.IsCompleted) return;
        var error = s.Error is { } e ? $": {e}" : "";
        var device = s.Device is { } d ? $" on {d}" : "";
        output.WriteLine($"run {runId}: {s.Status}{device}, step {s.Step}/{s.TotalSteps}{error}");
        if (s.IsFinished) _finished.TrySetResult(s.Status);
    }

    public static string Evaluation(MetricMessage m) => string.Create(CultureInfo.InvariantCulture,
        $"eval step {m.Step} (stage {m.Stage}): {Losses(m.Losses)}; held-out acc {Percent(m.HeldOutAccuracy)} F1-macro {Percent(m.HeldOutF1Macro)}; validation {Percent(m.ValidationAccuracy)}");

    public static string Progress(ProgressMessage p)
    {
        var eta = p.EtaSeconds is { } s ? $", ETA {TimeSpan.FromSeconds(Math.Round(s)):g}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step + 1}/{p.TotalSteps} (stage {p.Stage}), {p.ImagesPerSecond:F0} images/s, {Losses(p.Losses)}{eta}");
    }

    static string Embedding(EmbeddingMessage e) => string.Create(CultureInfo.InvariantCulture,
        $"t-SNE '{e.Label}' at step {e.Step}: {e.Points.Count} cells, center k-NN accuracy {e.MixingScore:P1}, KL {e.KlDivergence:F3}");

    static string Losses(IReadOnlyDictionary<string, double> losses) =>
        string.Join(" ", losses.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}")));

    static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";
}
