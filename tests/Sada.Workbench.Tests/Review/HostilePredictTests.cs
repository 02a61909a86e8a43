using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BitMiracle.LibTiff.Classic;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Tests.Imaging;
using Sada.Workbench.Accounts;
using Sada.Workbench.Review;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Review;

/// <summary>The predict endpoint, open to every role, against decompression bombs and lying headers, and its concurrency gate.</summary>
public class HostilePredictTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    static MultipartFormDataContent Upload(byte[] bytes, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", name } };
    }

    static async Task<string> FileError(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("file")[0].GetString()!;

    [Fact]
    public async Task A_png_declaring_50000_squared_gets_400_naming_the_file_and_its_size_not_500()
    {
        using var client = fixture.Client(WorkbenchRoles.Reviewer);

        // The image is refused from its header, before the run is looked up: the unknown run does not matter.
        var response = await client.PostAsync("/api/runs/424242/predict", Upload(HostileImages.LyingPng(50_000, 50_000), "bomb.png"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bomb.png: image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit", await FileError(response));
    }

    [Fact]
    public async Task A_bmp_and_a_tiff_with_rewritten_sizes_get_400_too()
    {
        using var client = fixture.Client(WorkbenchRoles.Reviewer);

        var bmp = await client.PostAsync("/api/runs/424242/predict", Upload(HostileImages.WithBmpSize(HostileImages.Bmp(), 30_000, -30_000), "liar.bmp"));
        var tiff = await client.PostAsync("/api/runs/424242/predict",
            Upload(HostileImages.WithTiffTag(HostileImages.WithTiffTag(HostileImages.Tiff(), TiffTag.IMAGEWIDTH, 60_000), TiffTag.IMAGELENGTH, 60_000), "liar.tif"));

        Assert.Equal(HttpStatusCode.BadRequest, bmp.StatusCode);
        Assert.StartsWith("liar.bmp: image too large: 30000x30000 px", await FileError(bmp));
        Assert.Equal(HttpStatusCode.BadRequest, tiff.StatusCode);
        Assert.StartsWith("liar.tif: image too large: 60000x60000 px", await FileError(tiff));
    }

    [Fact]
    public async Task Predictions_wait_for_a_free_slot_of_the_gate()
    {
        var gate = fixture.Factory.Services.GetRequiredService<PredictionGate>();
        using var client = fixture.Client(WorkbenchRoles.Reviewer);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Every slot taken by work that waits for the test.
        var holders = Enumerable.Range(0, gate.Capacity).Select(_ => gate.RunAsync(() => release.Task)).ToList();

        var waiting = client.PostAsync("/api/runs/424242/predict", Upload(HostileImages.LyingPng(50_000, 50_000), "bomb.png"));
        var finished = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.NotSame(waiting, finished);

        release.SetResult(0);
        await Task.WhenAll(holders);
        Assert.Equal(HttpStatusCode.BadRequest, (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);
        Assert.Equal(gate.Capacity, gate.Peak);
    }

    [Fact]
    public async Task The_gate_never_runs_more_than_its_capacity()
    {
        var gate = new PredictionGate(capacity: 2);
        int running = 0, most = 0;

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => gate.RunAsync(async () =>
        {
            int now = Interlocked.Increment(ref running);
            lock (gate) most = Math.Max(most, now);
            await Task.Delay(20);
            Interlocked.Decrement(ref running);
            return 0;
        }))));

        Assert.Equal(2, most);
        Assert.Equal(2, gate.Peak);
    }
}
