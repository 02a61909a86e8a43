using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Golden;

/// <summary>
/// A vector file from tests/golden, computed with the authors' own PyTorch modules:
/// {"case", "params", "tensors": {name: {"shape", "data"}}}.
/// </summary>
public sealed class GoldenCase
{
    public required string Name { get; init; }
    public required JsonElement Params { get; init; }
    readonly Dictionary<string, (long[] Shape, float[] Data)> _tensors = new();

    /// <summary>The repository's tests/golden, copied into the test output by the project file.</summary>
    public static string Directory
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "golden");
            if (!System.IO.Directory.Exists(dir))
                throw new DirectoryNotFoundException($"golden vectors were not copied to {dir}: build the test project");
            return dir;
        }
    }

    public static GoldenCase Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file)));
        var root = doc.RootElement;
        var g = new GoldenCase { Name = root.GetProperty("case").GetString()!, Params = root.GetProperty("params").Clone() };
        foreach (var t in root.GetProperty("tensors").EnumerateObject())
        {
            var shape = t.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var data = t.Value.GetProperty("data").EnumerateArray().Select(x => x.GetSingle()).ToArray();
            g._tensors[t.Name] = (shape, data);
        }
        return g;
    }

    public IEnumerable<string> TensorNames => _tensors.Keys;

    public Tensor Tensor(string name)
    {
        var (shape, data) = _tensors[name];
        return torch.tensor(data).reshape(shape);
    }

    public double Param(string name) => Params.GetProperty(name).GetDouble();

    /// <summary>||actual - expected||_2 / ||expected||_2, the golden README's measure.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        var a = actual.to(float64).flatten();
        var e = expected.to(float64).flatten();
        Assert.Equal(e.shape, a.shape);
        return (a - e).norm().item<double>() / Math.Max(e.norm().item<double>(), 1e-30);
    }

    public static void AssertClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        var err = RelativeError(actual, expected);
        Assert.True(err <= tolerance, $"{what}: relative L2 error {err:E3} exceeds {tolerance:E1}");
    }
}
