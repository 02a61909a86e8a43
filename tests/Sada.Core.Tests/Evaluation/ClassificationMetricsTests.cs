using Sada.Core.Evaluation;

namespace Sada.Core.Tests.Evaluation;

public class ClassificationMetricsTests
{
    [Fact]
    public void Matches_hand_computed_values()
    {
        // truth:     0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        long[] truth = [0, 0, 0, 1, 1, 2];
        long[] pred = [0, 0, 1, 1, 2, 2];
        var m = ClassificationMetrics.Compute(truth, pred, 3);

        Assert.Equal(4.0 / 6, m.Accuracy, 12);
        Assert.Equal(m.Accuracy, m.F1Micro);
        Assert.Equal([2.0 / 3, 0.5, 1.0], m.Recall.Select(r => r!.Value));
        // class 0: P=1, R=2/3 -> F1=0.8; class 1: P=1/2, R=1/2 -> 0.5; class 2: P=1/2, R=1 -> 2/3
        Assert.Equal(0.8, m.F1[0]!.Value, 12);
        Assert.Equal(0.5, m.F1[1]!.Value, 12);
        Assert.Equal(2.0 / 3, m.F1[2]!.Value, 12);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, m.F1Macro, 12);
        Assert.Equal([2, 1, 0], m.Confusion[0]);
        Assert.Equal([0, 1, 1], m.Confusion[1]);
        Assert.Equal([0, 0, 1], m.Confusion[2]);
    }

    [Fact]
    public void A_class_absent_from_the_truth_has_no_recall_and_stays_out_of_f1_macro()
    {
        long[] truth = [0, 0, 1];
        long[] pred = [0, 2, 1];
        var m = ClassificationMetrics.Compute(truth, pred, 3);
        Assert.Null(m.Recall[2]);
        // class 0: P=1, R=1/2 -> 2/3; class 1: 1.0
        Assert.Equal((2.0 / 3 + 1.0) / 2, m.F1Macro, 12);
    }
}
