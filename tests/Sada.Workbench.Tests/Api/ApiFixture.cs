using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests.Api;

/// <summary>
/// The workbench with no background trainer (Sada:Worker:Enabled false, so queued runs stay queued) and a dataset
/// "cells" with centers acevedo, raabin and zheng registered directly in the database (no images: nothing trains).
/// </summary>
public sealed class ApiFixture : IDisposable
{
    readonly WorkbenchFactory _workbench = new();

    public WebApplicationFactory<Program> Factory { get; }

    public ApiFixture()
    {
        Factory = _workbench.WithWebHostBuilder(b => b.UseSetting("Sada:Worker:Enabled", "false"));
        using var client = Factory.CreateClient();
        using var db = Db();
        db.Datasets.Add(new Dataset
        {
            Name = "cells",
            Centers =
            [
                new Center { Name = "acevedo", ImageCount = 30, ClassCountsJson = """{"neutrophil": 20, "lymphocyte": 10}""",
                    StainFingerprintJson = """{"stains": [[0.65, 0.07], [0.70, 0.99], [0.29, 0.11]], "background": [0.05, 0.04, 0.03]}""" },
                new Center { Name = "raabin", ImageCount = 12, ClassCountsJson = """{"neutrophil": 9, "basophil": 3}""" },
                new Center { Name = "zheng", ImageCount = 5, ClassCountsJson = """{"monocyte": 5}""" },
            ],
        });
        db.SaveChanges();
    }

    public SadaDbContext Db() => Factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();

    /// <summary>A client signed in with the role (Admin unless told).</summary>
    public HttpClient Client(string role = WorkbenchRoles.Admin) => Factory.SignedInClient(role);

    public void Dispose()
    {
        Factory.Dispose();
        _workbench.Dispose();
    }
}
