using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sada.Workbench.Api;

namespace Sada.Workbench.Tests.Api;

/// <summary>Bodies above an endpoint's limit are refused with 413 and a problem+json naming the sizes, never a 500.</summary>
public sealed class RequestLimitsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    static async Task AssertTooLargeAsync(HttpResponseMessage response, long limit)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"limit of {limit:N0} bytes", detail);
    }

    [Fact]
    public async Task A_40_MB_predict_upload_gets_413_problem_json()
    {
        using var client = api.Client();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(new byte[40 << 20]);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "huge.png");
        await AssertTooLargeAsync(await client.PostAsync("/api/runs/1/predict", form), ReviewApi.MaxBodyBytes);
    }

    [Fact]
    public async Task A_json_body_above_the_limit_gets_413_problem_json()
    {
        using var client = api.Client();
        var padding = new string('x', 2 << 20);
        var body = new StringContent($$"""{"dataset": "cells", "heldOut": "zheng", "padding": "{{padding}}"}""", Encoding.UTF8, "application/json");
        await AssertTooLargeAsync(await client.PostAsync("/api/runs", body), new RequestLimitOptions().JsonBodyBytes);
        var study = new StringContent($$"""{"name": "{{padding}}"}""", Encoding.UTF8, "application/json");
        await AssertTooLargeAsync(await client.PostAsync("/api/studies", study), new RequestLimitOptions().JsonBodyBytes);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_read_as_before()
    {
        using var client = api.Client();
        var response = await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
