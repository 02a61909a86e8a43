using System.Text.Json;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Golden;

/// <summary>The baselines' golden files (boda.json, selfreg.json): plain float64 JSON lists, possibly ragged across centers.</summary>
public sealed class GoldenJson(JsonElement root)
{
    public static GoldenJson Load(string file) =>
        new(JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenCase.Directory, file))).RootElement.Clone());

    public JsonElement this[string key] => root.GetProperty(key);

    public GoldenJson Child(string key) => new(root.GetProperty(key));

    public double Number(string key) => root.GetProperty(key).GetDouble();

    /// <summary>A rectangular list as a float64 tensor.</summary>
    public Tensor Tensor(string key) => ToTensor(root.GetProperty(key));

    /// <summary>A list of rectangular lists (one per center, lengths may differ) as tensors.</summary>
    public IReadOnlyList<Tensor> Tensors(string key) => root.GetProperty(key).EnumerateArray().Select(ToTensor).ToList();

    public static Tensor ToTensor(JsonElement e)
    {
        var shape = new List<long>();
        var values = new List<double>();
        Walk(e, 0, shape, values);
        return tensor(values.ToArray(), dtype: float64).reshape(shape.ToArray());
    }

    static void Walk(JsonElement e, int depth, List<long> shape, List<double> values)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            // null marks an absent (center, class) pair, which the authors count as infinitely many samples.
            values.Add(e.ValueKind == JsonValueKind.Null ? double.PositiveInfinity : e.GetDouble());
            return;
        }
        if (shape.Count == depth) shape.Add(e.GetArrayLength());
        foreach (var item in e.EnumerateArray()) Walk(item, depth + 1, shape, values);
    }
}
