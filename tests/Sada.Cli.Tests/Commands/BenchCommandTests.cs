namespace Sada.Cli.Tests.Commands;

public class BenchCommandTests
{
    [Fact]
    public void Bench_sba_prints_every_phase_and_memory()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "sba", "--size", "16", "--cells", "6", "--repeats", "1", "--threads", "1"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        foreach (var phase in new[] { "rgb->od", "snmf", "kmeans", "transfer", "jitter", "normalise", "total" })
            Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(phase)}\s+\d", text);
        Assert.Contains("6 cells, 16 x 16 px, k = 3 (18 views)", text);
        Assert.Contains("resident memory:", text);
    }

    [Fact]
    public void Bench_boda_times_a_centroid_refresh_with_min_median_and_max()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "boda", "--images", "12", "--size", "32", "--batch", "4", "--repeats", "2", "--threads", "1"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("BoDA centroid refresh: 12 images, 32 px, resnet18, batch 4, 1 threads, 2 repeats", text);
        Assert.Matches(@"min \d+\.\d\d s, median \d+\.\d\d s, max \d+\.\d\d s; \d+\.\d ms per image", text);
    }

    [Fact]
    public void Bench_sba_rejects_impossible_sizes()
    {
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "sba", "--size", "4", "--threads", "1"], new StringWriter(), error);
        Assert.NotEqual(0, code);
        Assert.Contains("size", error.ToString());
    }

    [Fact]
    public void Bench_predict_times_loading_one_cell_and_a_batch()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "predict", "--size", "32", "--cells", "6", "--repeats", "2", "--threads", "1"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("Predict: resnet18, 32 x 32 px, 1 thread(s)", text);
        Assert.Matches(@"(?m)^load weights\s+\d+\.\d ms", text);
        Assert.Matches(@"(?m)^one cell \(median\)\s+\d+\.\d ms", text);
        Assert.Matches(@"(?m)^6 cells together\s+\d+\.\d\d s\s+\(\d+ cells/s, 16 per pass\)", text);
    }

    [Fact]
    public void Bench_predict_names_a_bad_size()
    {
        var error = new StringWriter();
        Assert.NotEqual(0, SadaCli.Run(["bench", "predict", "--size", "8", "--threads", "1"], new StringWriter(), error));
        Assert.Contains("size >= 16", error.ToString());
    }
}
