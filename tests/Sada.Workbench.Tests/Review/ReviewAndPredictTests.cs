using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Review;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Components;
using ReviewPage = Sada.Workbench.Components.Pages.Review;

namespace Sada.Workbench.Tests.Review;

/// <summary>The gallery, the predict API and the predict page on one tiny run the worker really trained (<see cref="TrainedRunFixture"/>).</summary>
public class ReviewAndPredictTests(TrainedRunFixture run, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TrainedRunFixture>
{
    static readonly byte[] NotAnImage = "this is a text file, not a cell"u8.ToArray();

    /// <summary>Signed in as a Reviewer, the least role that may read.</summary>
    HttpClient Client() => run.Factory.SignedInClient(WorkbenchRoles.Reviewer);

    async Task<(RunCheckpoint Checkpoint, IReadOnlyList<HeldOutCell> Cells)> StoredAsync()
    {
        var checkpoints = run.Factory.Services.GetRequiredService<RunCheckpoints>();
        var checkpoint = (await checkpoints.FindAsync(run.RunId))!.Require();
        return (checkpoint, await checkpoints.HeldOutCellsAsync(checkpoint));
    }

    static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    static MultipartFormDataContent Upload(byte[] bytes, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", name } };
    }

    [Fact]
    public async Task The_gallery_is_exactly_the_stored_evaluations_mistakes_most_confident_first_kept_and_served()
    {
        var (checkpoint, cells) = await StoredAsync();
        var stored = MetricMessage.From(checkpoint.Selected!).Confusion.Counts;
        int mistakes = stored.SelectMany((row, t) => row.Where((_, p) => p != t)).Sum();
        var gallery = run.Factory.Services.GetRequiredService<MisclassificationGallery>();

        var job = await gallery.StartAsync(run.RunId);
        var result = await job.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        output.WriteLine($"gallery of {result.HeldOutCells} held-out cells in {result.Seconds:F2} s");
        Assert.True(mistakes > 0, "the tiny run should still make mistakes, or this test checks nothing");
        Assert.Equal(mistakes, result.Cells.Count);
        Assert.Equal(stored, result.Confusion);
        Assert.Equal(checkpoint.Selected!.Step, result.Step);
        Assert.Equal(cells.Count, result.HeldOutCells);
        Assert.Equal((cells.Count, cells.Count), (job.Done, job.Total));
        Assert.Equal(result.Cells.Select(c => c.Confidence).OrderDescending(), result.Cells.Select(c => c.Confidence));
        Assert.All(result.Cells, c => Assert.NotEqual(c.TrueClass, c.PredictedClass));
        Assert.All(result.Cells, c => Assert.Equal(checkpoint.Classes[cells.Single(h => h.ImageId == c.ImageId).Label], c.TrueClass));

        // Kept per (run, checkpoint): asking again is the same finished job.
        Assert.Same(job, await gallery.StartAsync(run.RunId));
        Assert.Same(job, await gallery.FindAsync(run.RunId));

        // The thumbnails: the dataset's cell endpoint, by image id.
        using var client = Client();
        var image = await client.GetAsync($"/api/datasets/synthetic-blood-cells/cells/{result.Cells[0].ImageId}.png");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", image.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Predict_api_returns_probabilities_and_refuses_a_corrupt_file_an_unknown_run_and_anonymous_callers()
    {
        var (checkpoint, cells) = await StoredAsync();
        using var client = Client();

        var response = await client.PostAsync($"/api/runs/{run.RunId}/predict", Upload(await File.ReadAllBytesAsync(cells[0].Path), "cell.png"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Json(response);
        var probabilities = json.GetProperty("probabilities").EnumerateArray().Select(p => (Class: p.GetProperty("class").GetString()!, P: p.GetProperty("probability").GetDouble())).ToList();
        Assert.Equal(checkpoint.Classes.Order(), probabilities.Select(p => p.Class).Order());
        Assert.Equal(1.0, probabilities.Sum(p => p.P), 4);
        Assert.Equal(probabilities.Select(p => p.P).OrderDescending(), probabilities.Select(p => p.P));
        Assert.Equal(probabilities[0].Class, json.GetProperty("predicted").GetString());
        Assert.Equal(checkpoint.Selected!.Step, json.GetProperty("step").GetInt32());

        var corrupt = await client.PostAsync($"/api/runs/{run.RunId}/predict", Upload(NotAnImage, "notes.png"));
        Assert.Equal(HttpStatusCode.BadRequest, corrupt.StatusCode);
        Assert.Equal("application/problem+json", corrupt.Content.Headers.ContentType?.MediaType);
        var error = (await Json(corrupt)).GetProperty("errors").GetProperty("file")[0].GetString();
        Assert.Contains("notes.png: not an image", error);

        var none = await client.PostAsync($"/api/runs/{run.RunId}/predict", new MultipartFormDataContent { { new StringContent("x"), "note" } });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("no file", (await Json(none)).GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/runs/99999/predict", Upload(await File.ReadAllBytesAsync(cells[0].Path), "cell.png"))).StatusCode);

        using var anonymous = run.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/runs/{run.RunId}/predict", Upload(NotAnImage, "x.png"))).StatusCode);
    }

    BunitContext Page()
    {
        var ctx = PageContext.Create();
        ctx.SignInAs(WorkbenchRoles.Reviewer);
        foreach (var type in new[] { typeof(ReviewPages), typeof(CellPredictor), typeof(MisclassificationGallery), typeof(Sada.Workbench.Runs.RunSetFeeds) })
            ctx.Services.AddSingleton(type, run.Factory.Services.GetRequiredService(type));
        return ctx;
    }

    [Fact]
    public async Task Predict_page_shows_the_decoders_message_for_a_corrupt_upload_and_probabilities_for_a_cell()
    {
        var (checkpoint, cells) = await StoredAsync();
        await using var ctx = Page();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/predict?run={run.RunId}");
        var page = ctx.Render<Predict>();
        page.WaitForAssertion(() => Assert.Contains($"Held out {checkpoint.Run.HoldoutCenter}", page.Find("[data-testid=run-info]").TextContent));

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(NotAnImage, "notes.png", contentType: "image/png"));
        page.WaitForAssertion(() => Assert.Contains("notes.png: not an image", page.Find("[data-testid=predict-error]").TextContent), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll("[data-testid=probabilities]"));

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(cells[0].Path), "cell.png", contentType: "image/png"));
        page.WaitForAssertion(() => Assert.Equal(checkpoint.Classes.Count, page.FindAll("[data-testid=probabilities] tbody tr").Count), TimeSpan.FromSeconds(30));
        Assert.Empty(page.FindAll("[data-testid=predict-error]"));
    }

    [Fact]
    public async Task Review_page_of_the_run_shows_its_metrics_and_the_gallery_on_demand()
    {
        var (checkpoint, _) = await StoredAsync();
        var selected = MetricMessage.From(checkpoint.Selected!);
        await using var ctx = Page();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/review?run={run.RunId}");
        var page = ctx.Render<ReviewPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=center]")));
        Assert.Contains($"Held out: {checkpoint.Run.HoldoutCenter}", page.Markup);
        Assert.Equal($"{selected.HeldOutAccuracy * 100:F1} %", page.Find("[data-testid=accuracy]").TextContent);
        Assert.Equal($"{selected.HeldOutF1Macro * 100:F1} %", page.Find("[data-testid=f1-macro]").TextContent);

        // Started here or by another test: either way the page ends on the gallery with the stored number of mistakes.
        if (page.FindAll("[data-testid=gallery-start]").Count == 1) page.Find("[data-testid=gallery-start]").Click();
        int mistakes = selected.Confusion.Counts.SelectMany((row, t) => row.Where((_, p) => p != t)).Sum();
        page.WaitForAssertion(() => Assert.StartsWith($"{mistakes} misclassified of", page.Find("[data-testid=gallery-count]").TextContent.Trim()), TimeSpan.FromMinutes(1));
        Assert.Equal(Math.Min(mistakes, 24), page.FindAll("[data-testid=gallery-cell]").Count);
        Assert.Empty(page.FindAll("[data-testid=gallery-mismatch]"));
    }
}
