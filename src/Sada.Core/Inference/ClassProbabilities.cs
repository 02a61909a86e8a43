namespace Sada.Core.Inference;

/// <summary>A cell's class probabilities (a softmax over the classifier's logits), one per class name, summing to 1.</summary>
public sealed record ClassProbabilities(IReadOnlyList<string> Classes, float[] Values)
{
    /// <summary>The class the model predicts: the most probable, the first on a tie (as argmax in evaluation).</summary>
    public int Predicted
    {
        get
        {
            int best = 0;
            for (int c = 1; c < Values.Length; c++)
                if (Values[c] > Values[best]) best = c;
            return best;
        }
    }

    public string PredictedClass => Classes[Predicted];

    /// <summary>The predicted class's probability.</summary>
    public float Confidence => Values[Predicted];

    /// <summary>Every class with its probability, most probable first.</summary>
    public IReadOnlyList<(string Class, float Probability)> Ranked =>
        Enumerable.Range(0, Values.Length).OrderByDescending(i => Values[i]).ThenBy(i => i).Select(i => (Classes[i], Values[i])).ToList();
}
