namespace Sada.Core.Tests.Golden;

public class GoldenCaseTests
{
    [Fact]
    public void Every_golden_file_loads_with_its_shapes()
    {
        // boda.json and selfreg.json use the baselines' own layout (plain lists; tests/golden/README.md).
        var files = System.IO.Directory.GetFiles(GoldenCase.Directory, "*.json")
            .Where(f => Path.GetFileName(f) is not ("boda.json" or "selfreg.json")).ToArray();
        Assert.Equal(9, files.Length);
        foreach (var file in files)
        {
            var g = GoldenCase.Load(Path.GetFileName(file));
            Assert.NotEmpty(g.TensorNames);
            foreach (var name in g.TensorNames)
                using (var t = g.Tensor(name)) Assert.True(t.numel() > 0, $"{g.Name}.{name} is empty");
        }
    }
}
