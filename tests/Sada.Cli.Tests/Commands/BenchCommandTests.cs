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

    [Fact]
    public void Bench_data_writes_a_set_and_prints_its_phases_the_step_wait_and_peak_rss()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "data", "--images", "40", "--size", "32", "--centers", "2", "--distinct", "12", "--cache-mb", "0",
            "--pipeline-steps", "2", "--steps", "1", "--batch", "2", "--threads", "1", "--markdown"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("| phase | images | seconds | images/s |", text);
        Assert.Matches(@"(?m)^\| write synthetic set \| 40 \| \d+\.\d \|", text);
        Assert.Matches(@"(?m)^\| decode once into the cache \| 40 \|", text);
        // A zero budget keeps nothing: the pipeline reads and decodes every cell again.
        Assert.Contains("cache: 0 of 40 images kept", text);
        Assert.Matches(@"(?m)^\| pipeline alone \([1-9]\d* decoded again\) \| 4 \|", text);
        Assert.Matches(@"(?m)^\| wait for the batch \| \d+\.\d \| \d+\.\d \| \d+\.\d \|", text);
        Assert.Matches(@"(?m)^step wait: \d+\.\d+ % of step time", text);
        Assert.Matches(@"(?m)^managed heap at the end: \d+ MB \(of which the kept images 0 MiB\)$", text);
        Assert.Matches(@"(?m)^malloc: ", text);
        Assert.Matches(@"(?m)^peak RSS: [1-9]\d* MB$", text);
    }

    [Fact]
    public void Bench_step_times_the_backbone_and_the_step_in_turn_and_prints_the_ratio_pair_by_pair()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "step", "--size", "32", "--cells", "6", "--k", "2", "--repeats", "2", "--quick", "--channels-last",
            "--threads", "1", "--markdown"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("6 cells, 32 x 32 px, k = 2 (12 views), resnet18, channels-last,", text);
        Assert.Matches(@"(?m)^\| bare backbone fwd\+bwd \| \d+\.\d \|", text);
        Assert.Matches(@"(?m)^\| SADA stage-1 step \| \d+\.\d \|", text);
        Assert.DoesNotContain("without LA", text);
        Assert.Matches(@"(?m)^SADA step / bare backbone: \d+\.\d{3} \(medians\); pair by pair, timed in turn: median \d+\.\d{3}, min \d+\.\d{3}, max \d+\.\d{3} over 2$", text);
    }

    [Fact]
    public void Bench_step_bare_times_the_backbone_alone()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "step", "--size", "32", "--cells", "6", "--k", "2", "--repeats", "1", "--bare", "--threads", "1"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("bare backbone fwd+bwd", text);
        Assert.DoesNotContain("SADA", text);
    }

    [Fact]
    public void Bench_train_runs_a_whole_short_training_and_shares_its_time_out()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["bench", "train", "--images", "40", "--size", "32", "--centers", "2", "--distinct", "12", "--algorithm", "erm",
            "--steps", "2", "--eval-every", "1", "--batch", "2", "--threads", "1"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        foreach (var phase in new[] { "decode once", "steps (compute)", "steps waiting for a batch", "evaluations (streamed)", "total" })
            Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(phase)}\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d %", text);
        Assert.Matches(@"(?m)^total\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+100\.0 %", text);
        Assert.Matches(@"(?m)^training images/s: \d", text);
        Assert.Matches(@"(?m)^peak RSS: [1-9]\d* MB$", text);
    }

    [Fact]
    public void Bench_data_names_a_bad_option()
    {
        var error = new StringWriter();
        Assert.NotEqual(0, SadaCli.Run(["bench", "data", "--images", "40", "--size", "32", "--centers", "1", "--threads", "1"], new StringWriter(), error));
        Assert.Contains("at least 2 centers", error.ToString());
    }
}
