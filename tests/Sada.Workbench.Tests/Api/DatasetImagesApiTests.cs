using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Imaging;
using Sada.Workbench.Accounts;
using Sada.Workbench.Datasets;
using Sada.Workbench.Tests.Datasets;

namespace Sada.Workbench.Tests.Api;

/// <summary>The dataset images the pages load (contact sheets, picker cells) and who may read them; and the pages over HTTP.</summary>
public class DatasetImagesApiTests(DatasetFixture fixture) : IClassFixture<DatasetFixture>
{
    [Fact]
    public async Task A_centers_sheet_is_a_png_whose_etag_answers_304_until_its_images_change()
    {
        using var client = fixture.Client(WorkbenchRoles.Reviewer);

        var response = await client.GetAsync($"/api/datasets/{fixture.DatasetId}/centers/center-b/sheet.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();
        var sheet = CellImageDecoder.Decode(png);
        // The label column, then one column of three 64 px tiles per class present in the center.
        Assert.Equal(64 + 22 + 4 + 4, sheet.Height);
        var etag = response.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/datasets/tiny/centers/center-b/sheet.png");
        again.Headers.IfNoneMatch.Add(etag);
        var cached = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.Empty(await cached.Content.ReadAsByteArrayAsync());

        var other = await client.GetAsync($"/api/datasets/{fixture.DatasetId}/centers/center-c/sheet.png");
        Assert.NotEqual(etag, other.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/datasets/{fixture.DatasetId}/centers/nowhere/sheet.png")).StatusCode);
    }

    [Fact]
    public async Task A_cell_is_served_as_png_to_readers_and_only_from_its_own_dataset()
    {
        var cell = (await fixture.Services.GetRequiredService<DatasetBrowser>().CellsAsync(fixture.DatasetId, "center-c", null, 0, 1)).Single();
        using var client = fixture.Client(WorkbenchRoles.Reviewer);

        var response = await client.GetAsync($"/api/datasets/{fixture.DatasetId}/cells/{cell.Id}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(File.ReadAllBytes(cell.Path), await response.Content.ReadAsByteArrayAsync()); // stored as PNG already: the same pixels, same encoder
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/datasets/{fixture.DatasetId + 1}/cells/{cell.Id}.png")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_requests_get_no_images()
    {
        using var client = fixture.Client(role: null);
        var response = await client.GetAsync($"/api/datasets/{fixture.DatasetId}/centers/center-a/sheet.png");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_dataset_pages_answer_a_reviewer_and_send_an_anonymous_visitor_to_sign_in()
    {
        using var reviewer = fixture.Client(WorkbenchRoles.Reviewer);
        var html = await reviewer.GetStringAsync($"/datasets/{fixture.DatasetId}");
        Assert.Contains("Images per center and class", html);
        Assert.Contains("Stain fingerprints", html);
        Assert.DoesNotContain("import-panel", html);
        Assert.Contains($"href=\"datasets/{fixture.DatasetId}\"", await reviewer.GetStringAsync("/datasets"));

        using var anonymous = fixture.Client(role: null);
        foreach (var page in new[] { "/datasets", $"/datasets/{fixture.DatasetId}" })
        {
            var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/account/login", response.Headers.Location!.OriginalString);
        }
    }
}
