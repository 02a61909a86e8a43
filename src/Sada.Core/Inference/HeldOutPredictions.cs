using Sada.Core.Data;
using Sada.Core.Evaluation;
using Sada.Core.Training;

namespace Sada.Core.Inference;

/// <summary>One cell as a classifier saw it: its index in the list given, its true class, its probabilities.</summary>
public sealed record CellPrediction(int Index, int TrueClass, ClassProbabilities Probabilities)
{
    public bool Correct => TrueClass == Probabilities.Predicted;
}

/// <summary>
/// A classifier's predictions for a list of labelled cells (a held-out center): the per-center review's source for the
/// gallery of misclassified cells. Cells that cannot be decoded are listed with their reason and left out, as the
/// trainer leaves them out of its evaluation.
/// </summary>
public sealed record HeldOutPredictions(IReadOnlyList<CellPrediction> Cells, IReadOnlyList<UnreadableImage> Unreadable, int ClassCount)
{
    /// <summary>The misclassified cells, the most confident mistakes first (then in list order).</summary>
    public IReadOnlyList<CellPrediction> Misclassified =>
        Cells.Where(c => !c.Correct).OrderByDescending(c => c.Probabilities.Confidence).ThenBy(c => c.Index).ToList();

    /// <summary>Accuracy, F1-macro, recall and confusion of these predictions, as the trainer computes them.</summary>
    public ClassificationMetrics Metrics =>
        ClassificationMetrics.Compute(Cells.Select(c => (long)c.TrueClass).ToArray(), Cells.Select(c => (long)c.Probabilities.Predicted).ToArray(), ClassCount);

    /// <summary>
    /// Classifies every cell, decoding one batch at a time (a large center never sits decoded in memory), and reports
    /// (cells done, total) after each batch.
    /// </summary>
    public static HeldOutPredictions Of(CellClassifier classifier, IReadOnlyList<CellSample> cells,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        var predictions = new List<CellPrediction>(cells.Count);
        var unreadable = new List<UnreadableImage>();
        for (int start = 0; start < cells.Count; start += classifier.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int end = Math.Min(cells.Count, start + classifier.BatchSize);
            var batch = new DecodedImageCache();
            batch.Load(Enumerable.Range(start, end - start).Select(i => cells[i].Path), cancellation: cancellation);
            unreadable.AddRange(batch.Unreadable);
            var readable = Enumerable.Range(start, end - start).Where(i => batch.Contains(cells[i].Path)).ToList();
            var probabilities = classifier.Classify(readable.Select(i => batch[cells[i].Path]).ToList());
            for (int k = 0; k < readable.Count; k++)
                predictions.Add(new CellPrediction(readable[k], cells[readable[k]].Label, probabilities[k]));
            progress?.Report((end, cells.Count));
        }
        return new HeldOutPredictions(predictions, unreadable, classifier.Classes.Count);
    }
}
