using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data;
using Sada.Data.Entities;

namespace Sada.Workbench.Tests.Api;

/// <summary>Queue-time refusals through the API: a run too big for the memory budget, weights outside the weight roots, a study too big.</summary>
public sealed class RunAdmissionApiTests : IDisposable
{
    readonly WorkbenchFactory _factory = new()
    {
        Settings = new()
        {
            ["Sada:Worker:Enabled"] = "false", ["Sada:Runs:MemoryBudgetMB"] = "8192", ["Sada:Runs:WeightRoots:0"] = "/nonexistent-weight-root",
            ["Sada:Runs:MaxStudySeeds"] = "10",
        },
    };

    public RunAdmissionApiTests()
    {
        _factory.CreateClient().Dispose();
        using var db = _factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();
        db.Datasets.Add(new Dataset { Name = "cells", Centers = [new Center { Name = "a" }, new Center { Name = "b" }, new Center { Name = "c" }] });
        db.SaveChanges();
    }

    public void Dispose() => _factory.Dispose();

    static async Task<JsonElement> Errors(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    [Fact]
    public async Task The_default_config_is_refused_when_it_cannot_fit_and_a_small_one_is_queued()
    {
        using var client = _factory.SignedInClient();
        var errors = await Errors(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "a" }));
        var message = errors.GetProperty("config.BatchPerCenter")[0].GetString();
        Assert.Contains("8.0 GB here", message);
        Assert.Contains("192 images per step", message);

        var small = await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "a", config = new { backbone = "resnet18", init = "scratch", imageSize = 64, batchPerCenter = 8 } });
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
    }

    [Fact]
    public async Task A_weights_path_outside_the_roots_gets_the_same_answer_whether_it_exists_or_not()
    {
        using var client = _factory.SignedInClient();
        var small = new { backbone = "resnet18", imageSize = 64, batchPerCenter = 8 };
        var existing = await Errors(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "a", config = new { small.backbone, small.imageSize, small.batchPerCenter, weights = "/etc/hostname" } }));
        var missing = await Errors(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "a", config = new { small.backbone, small.imageSize, small.batchPerCenter, weights = "/etc/no-such-file" } }));
        var a = existing.GetProperty("config.Weights")[0].GetString()!;
        var b = missing.GetProperty("config.Weights")[0].GetString()!;
        Assert.Contains("is not inside a weight root", a);
        Assert.Equal(a.Replace("hostname", "X"), b.Replace("no-such-file", "X"));
    }

    [Fact]
    public async Task A_study_with_a_list_of_20000_seeds_is_refused_and_queues_nothing()
    {
        using var client = _factory.SignedInClient();
        var errors = await Errors(await client.PostAsJsonAsync("/api/studies", new
        {
            name = "flood", dataset = "cells", variants = new[] { new { name = "ERM", config = new { algorithm = "erm", backbone = "resnet18", imageSize = 32 } } },
            seeds = Enumerable.Range(0, 20_000).ToArray(),
        }));
        Assert.Contains("a study may have at most 10", errors.GetProperty("seeds")[0].GetString());
        using var db = _factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();
        Assert.Empty(db.Runs);
    }
}
