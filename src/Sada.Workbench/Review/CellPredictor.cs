using System.Diagnostics;
using Sada.Core.Imaging;
using Sada.Core.Inference;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Review;

/// <summary>A cell classified by a run's selected checkpoint; <see cref="Milliseconds"/> is the inference alone (decoded image to probabilities).</summary>
public sealed record PredictionResult(int RunId, string HeldOut, int Step, ClassProbabilities Probabilities, double Milliseconds);

/// <summary>
/// Predict: one uploaded cell image through a run's selected checkpoint, for the predict page and the API. The decode
/// (header first, refused above the pixel limit) and the inference pass through the <see cref="PredictionGate"/>.
/// </summary>
public sealed class CellPredictor(RunCheckpoints checkpoints, TrainedClassifiers classifiers, PredictionGate gate)
{
    /// <summary>A single cell image is far smaller; this bounds what an upload may hold in memory.</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    /// <exception cref="CellImageException">The bytes are not a usable image; the message says why (checked before the run).</exception>
    /// <exception cref="KeyNotFoundException">No such run.</exception>
    /// <exception cref="InvalidOperationException">The run has no selected checkpoint; the message says why.</exception>
    public async Task<PredictionResult> PredictAsync(int runId, byte[] image, CancellationToken cancellation = default)
    {
        if (image.LongLength > MaxBytes) throw new CellImageException($"file too large: {image.LongLength:N0} bytes, above the {MaxBytes:N0}-byte limit for one cell image");
        return await gate.RunAsync(async () =>
        {
            var decoded = CellImageDecoder.Decode(image);
            var checkpoint = (await checkpoints.FindAsync(runId, cancellation) ?? throw new KeyNotFoundException($"no run #{runId}")).Require();
            var (probabilities, ms) = await classifiers.UseAsync(checkpoint, classifier =>
            {
                var clock = Stopwatch.StartNew();
                var p = classifier.Classify(decoded);
                return (p, clock.Elapsed.TotalMilliseconds);
            }, cancellation);
            return new PredictionResult(runId, checkpoint.Run.HoldoutCenter, checkpoint.Selected!.Step, probabilities, ms);
        }, cancellation);
    }
}
