using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Onnx;
using Sada.Core.Algorithms;
using Sada.Core.Models.Export;
using Sada.Data.Entities;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Review;
using static TorchSharp.torch;

namespace Sada.Workbench.Tests.Api;

/// <summary>The four downloads of a run the worker really trained (<see cref="TrainedRunFixture"/>), as the least role that reads.</summary>
public class DownloadsApiTests(TrainedRunFixture run, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TrainedRunFixture>
{
    HttpClient Client() => run.Factory.SignedInClient(WorkbenchRoles.Reviewer);

    async Task<RunDownloadSet> SetAsync() => (await run.Factory.Services.GetRequiredService<RunDownloads>().FindAsync(run.RunId))!;

    async Task<int> StoreRunWithoutFilesAsync()
    {
        await using var db = run.Db();
        var dataset = await db.Datasets.SingleAsync();
        var stored = new Run
        {
            DatasetId = dataset.Id, HoldoutCenter = "center-a", Algorithm = "erm", ConfigJson = new AlgorithmConfig { Algorithm = "erm" }.ToJson(),
            Seed = 0, Status = RunStatus.Cancelled, CreatedAt = DateTime.UtcNow, // not queued: the fixture's worker would train it
        };
        db.Runs.Add(stored);
        await db.SaveChangesAsync();
        return stored.Id;
    }

    [Fact]
    public async Task Safetensors_has_torchvisions_names_and_the_selected_weights_values()
    {
        using var client = Client();
        var response = await client.GetAsync($"/api/runs/{run.RunId}/weights.safetensors");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"run-{run.RunId}-best.safetensors", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var file = await response.Content.ReadAsByteArrayAsync();

        long length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(0, 8));
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)length));
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
        var set = await SetAsync();
        using var reference = TorchSharp.torchvision.models.resnet18(num_classes: set.Classes.Count);
        Assert.Equal(reference.state_dict().Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));

        using var network = TrainedNetwork.Load(set.Checkpoint.Config, set.Classes.Count, set.PathOf(RunWeights.Best), CPU);
        var fc = header.RootElement.GetProperty("fc.weight");
        Assert.Equal([set.Classes.Count, 512], fc.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = fc.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(file.AsSpan(8 + (int)length + offsets[0], offsets[1] - offsets[0])).ToArray();
        Assert.Equal(network.Classifier.weight!.data<float>().ToArray(), values);
        output.WriteLine($"best.safetensors: {file.Length:N0} bytes, {names.Count} tensors");
    }

    [Fact]
    public async Task The_last_checkpoint_is_served_SWAD_that_did_not_run_is_404_and_an_unknown_checkpoint_400()
    {
        using var client = Client();
        var last = await client.GetAsync($"/api/runs/{run.RunId}/weights.safetensors?which=last");
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal($"run-{run.RunId}-last.safetensors", last.Content.Headers.ContentDisposition?.FileNameStar ?? last.Content.Headers.ContentDisposition?.FileName);

        var swad = await client.GetAsync($"/api/runs/{run.RunId}/model.onnx?which=swad");
        Assert.Equal(HttpStatusCode.NotFound, swad.StatusCode);
        Assert.Contains($"run {run.RunId} has no swad weights yet", await swad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var bogus = await client.GetAsync($"/api/runs/{run.RunId}/weights.safetensors?which=final");
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        var problem = JsonDocument.Parse(await bogus.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("best, last, swad", problem.GetProperty("errors").GetProperty("which")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Onnx_is_a_model_of_the_runs_classifier_with_its_classes_in_the_metadata()
    {
        using var client = Client();
        var response = await client.GetAsync($"/api/runs/{run.RunId}/model.onnx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var model = ModelProto.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        var set = await SetAsync();
        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(set.Classes, JsonSerializer.Deserialize<string[]>(props[OnnxExport.ClassesKey]));
        Assert.Equal(run.RunId.ToString(CultureInfo.InvariantCulture), props["run"]);
        Assert.Equal("best", props["checkpoint"]);
        Assert.Equal(set.Checkpoint.Selected!.Step.ToString(CultureInfo.InvariantCulture), props["step"]);
        Assert.Equal("32", props["image_size"]);
        Assert.Equal(OnnxExport.InputName, model.Graph.Input.Single().Name);
        Assert.Equal(OnnxExport.OutputName, model.Graph.Output.Single().Name);
    }

    [Fact]
    public async Task Config_is_the_full_config_with_the_runs_seed_and_metrics_one_row_per_evaluation()
    {
        using var client = Client();
        var config = await client.GetAsync($"/api/runs/{run.RunId}/config.json");
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.Equal("application/json", config.Content.Headers.ContentType?.MediaType);
        var parsed = AlgorithmConfig.FromJson(await config.Content.ReadAsStringAsync());
        Assert.Equal(5, parsed.Seed);
        Assert.Equal(("erm", "resnet18", 32, 6), (parsed.Algorithm, parsed.Backbone, parsed.ImageSize, parsed.Steps));

        var metrics = await client.GetAsync($"/api/runs/{run.RunId}/metrics.csv");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/csv", metrics.Content.Headers.ContentType?.MediaType);
        var lines = (await metrics.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        var set = await SetAsync();
        var columns = lines[0].Split(',');
        Assert.Equal(["step", "stage"], columns[..2]);
        Assert.Contains("held_out_accuracy", columns);
        Assert.Contains("held_out_f1_macro", columns);
        Assert.Contains("validation_accuracy", columns);
        var losses = JsonSerializer.Deserialize<Dictionary<string, double>>(set.Evaluations[0].LossesJson)!;
        Assert.NotEmpty(losses);
        Assert.All(losses.Keys, name => Assert.Contains(name, columns));
        Assert.Equal(set.Evaluations.Count + 1, lines.Length);
        for (int i = 0; i < set.Evaluations.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            var m = set.Evaluations[i];
            Assert.Equal(m.Step, int.Parse(cells[0], CultureInfo.InvariantCulture));
            Assert.Equal(m.HeldOutF1Macro, double.Parse(cells[Array.IndexOf(columns, "held_out_f1_macro")], CultureInfo.InvariantCulture));
            foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, double>>(m.LossesJson)!)
                Assert.Equal(value, double.Parse(cells[Array.IndexOf(columns, name)], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_run_without_files_is_404_with_a_message_and_an_unknown_run_or_anonymous_caller_is_refused()
    {
        var id = await StoreRunWithoutFilesAsync();
        using var client = Client();
        foreach (var path in new[] { "weights.safetensors", "model.onnx" })
        {
            var response = await client.GetAsync($"/api/runs/{id}/{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"run {id} has no best weights yet", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var metrics = await client.GetAsync($"/api/runs/{id}/metrics.csv");
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Contains($"run {id} has no evaluation yet", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/runs/{id}/config.json")).StatusCode);

        var unknown = await client.GetAsync("/api/runs/99999/model.onnx");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no run #99999", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var anonymous = run.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/runs/{run.RunId}/weights.safetensors")).StatusCode);
    }

    [Fact]
    public void Metrics_csv_is_invariant_whatever_the_culture_and_quotes_a_loss_name_with_a_comma()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var csv = RunDownloads.MetricsCsv([
                new RunMetric { Step = 0, Stage = 1, LossesJson = """{"total": 1.5, "odd, \"name\"": 0.25}""", ValidationJson = """{"c1": 0.5}""", ElapsedSeconds = 2.5 },
                new RunMetric { Step = 10, Stage = 2, LossesJson = """{"total": 0.75, "ce": 0.125}""", HeldOutAccuracy = 0.5, HeldOutF1Macro = 0.25, ValidationAccuracy = 0.625, ValidationJson = """{"c1": 0.625}""" },
            ]);
            Assert.Equal(
                "step,stage,total,\"odd, \"\"name\"\"\",ce,held_out_accuracy,held_out_f1_macro,validation_accuracy,validation_c1,images_per_second,elapsed_seconds\n" +
                "0,1,1.5,0.25,,,,,0.5,,2.5\n" +
                "10,2,0.75,,0.125,0.5,0.25,0.625,0.625,,0\n", csv);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
