namespace Sada.Core.Evaluation;

/// <summary>
/// Accuracy (= F1-micro for single-label data), F1-macro, per-class recall and the confusion matrix
/// (rows = true class, columns = predicted), from true and predicted class indices.
/// </summary>
public sealed record ClassificationMetrics(
    double Accuracy,
    double F1Macro,
    IReadOnlyList<double?> Recall,
    IReadOnlyList<double?> F1,
    int[][] Confusion,
    int Count)
{
    public double F1Micro => Accuracy;

    /// <param name="numClasses">Size of the class list; classes absent from the truth get null recall and are
    /// left out of F1-macro (scikit-learn's labels=present-classes convention).</param>
    public static ClassificationMetrics Compute(ReadOnlySpan<long> truth, ReadOnlySpan<long> predicted, int numClasses)
    {
        if (truth.Length != predicted.Length) throw new ArgumentException("truth and predictions differ in length");
        var confusion = new int[numClasses][];
        for (int i = 0; i < numClasses; i++) confusion[i] = new int[numClasses];
        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i]) correct++;
        }

        var recall = new double?[numClasses];
        var f1 = new double?[numClasses];
        double f1Sum = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++)
        {
            int support = confusion[c].Sum();
            int predictedAs = 0;
            for (int r = 0; r < numClasses; r++) predictedAs += confusion[r][c];
            if (support == 0) continue;
            int tp = confusion[c][c];
            recall[c] = (double)tp / support;
            double precision = predictedAs == 0 ? 0 : (double)tp / predictedAs;
            f1[c] = precision + recall[c]!.Value == 0 ? 0 : 2 * precision * recall[c]!.Value / (precision + recall[c]!.Value);
            f1Sum += f1[c]!.Value;
            present++;
        }
        double accuracy = truth.Length == 0 ? 0 : (double)correct / truth.Length;
        return new ClassificationMetrics(accuracy, present == 0 ? 0 : f1Sum / present, recall, f1, confusion, truth.Length);
    }
}
