using System.Text.Json;
using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Runs queued through the JSON API with a browser context's request (its cookies, so its user), on the fixture's tiny
/// synthetic set. <see cref="Sada"/> finishes in seconds; <see cref="Blocker"/> never does on its own: queued first, it
/// holds the one worker, so a run queued after it waits (a page can be opened on it before it starts) until the
/// blocker is cancelled.
/// </summary>
public static class TinyRuns
{
    public const string Dataset = "synthetic-blood-cells";
    public const string HeldOut = "center-b";

    /// <summary>SADA, two stages, five evaluations (steps 0, 3, 6, 9, 11), losses logged at 0, 2, 4, 5, 6, 8, 10, 11, t-SNE after each stage.</summary>
    public static object Sada => new
    {
        algorithm = "sada", backbone = "resnet18", init = "scratch", imageSize = 32, batchPerCenter = 4, k = 2, laHiddenDim = 32,
        steps = 12, stage1Steps = 6, evalEvery = 3, logEvery = 2, learningRate = 1e-4,
    };

    /// <summary>ERM for 100,000 steps: trains until cancelled.</summary>
    public static object Blocker => new
    {
        algorithm = "erm", backbone = "resnet18", init = "scratch", imageSize = 32, batchPerCenter = 4, steps = 100_000, stage1Steps = 0, evalEvery = 100_000,
    };

    public static async Task<int> QueueAsync(BrowserSession session, object config, int seed = 7)
    {
        var response = await session.PostApiAsync("/api/runs", new { dataset = Dataset, heldOut = HeldOut, seed, config });
        var body = await response.TextAsync();
        Assert.True(response.Status == 201, $"POST /api/runs answered {response.Status}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>Cancels the run when disposed, unless it has finished (a failed test leaves no blocker holding the worker).</summary>
    public static IAsyncDisposable CancelAtEnd(BrowserSession session, int runId) => new Canceller(session, runId);

    sealed class Canceller(BrowserSession session, int runId) : IAsyncDisposable
    {
        // 409: already finished (cancelled by the test itself).
        public async ValueTask DisposeAsync() => await session.PostApiAsync($"/api/runs/{runId}/cancel");
    }

    public static async Task CancelAsync(BrowserSession session, int runId)
    {
        var response = await session.PostApiAsync($"/api/runs/{runId}/cancel");
        Assert.True(response.Ok, $"POST /api/runs/{runId}/cancel answered {response.Status}: {await response.TextAsync()}");
    }
}
