using System.Globalization;
using System.IO.Compression;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Synthetic;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Datasets;

/// <summary>
/// A workbench without trainer holding "tiny": the synthetic set's 3 centers x 8 cells at 32 px, imported at start.
/// Server-folder import is allowed under <see cref="Root"/>; uploads up to 1 MB.
/// </summary>
public sealed class DatasetFixture : IDisposable
{
    public const long UploadLimit = 1_000_000;

    readonly WorkbenchFactory _workbench;
    readonly string _scratch = Path.Combine(Path.GetTempPath(), "sada-dataset-pages-" + Guid.NewGuid().ToString("N"));

    /// <summary>The allowed import root; <see cref="Outside"/> is its sibling, outside it.</summary>
    public string Root => Path.Combine(_scratch, "root");
    public string Outside => Path.Combine(_scratch, "outside");

    public WebApplicationFactory<Program> Factory { get; }
    public SyntheticBloodCells Set { get; } = new(new SyntheticSetOptions(Centers: 3, PerCenter: 8, Size: 32, Seed: 1));
    public int DatasetId { get; }

    public DatasetFixture()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        _workbench = new WorkbenchFactory
        {
            Settings = new()
            {
                ["Sada:Worker:Enabled"] = "false",
                ["Sada:Datasets:ImportRoots:0"] = Root,
                ["Sada:Datasets:MaxUploadBytes"] = UploadLimit.ToString(CultureInfo.InvariantCulture),
            },
        };
        Factory = _workbench;
        var source = Path.Combine(_scratch, "tiny");
        Set.WriteImageFolder(source);
        using var db = Db();
        var report = new DatasetImporter(db, Services.GetRequiredService<ImageStore>()).ImportFolder(source, new ImportRequest("tiny"));
        Assert.True(report.Succeeded);
        DatasetId = report.DatasetId!.Value;
    }

    public IServiceProvider Services => Factory.Services;

    /// <summary>Gives a bUnit context this workbench's dataset services, so pages render on real data.</summary>
    public void AddPageServices(Bunit.BunitContext ctx)
    {
        foreach (var service in new[] { typeof(DatasetBrowser), typeof(DatasetAdmin), typeof(StainExplorer) })
            ctx.Services.AddSingleton(service, Services.GetRequiredService(service));
    }

    public SadaDbContext Db() => Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();

    public string DataDirectory => _workbench.DataDirectory;

    /// <summary>A client signed in with <paramref name="role"/> through the real token endpoint; none: anonymous, redirects not followed.</summary>
    public HttpClient Client(string? role) =>
        role is null ? Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }) : Factory.SignedInClient(role);

    /// <summary>A user with one role, as the services see a signed-in person (for calls made without HTTP).</summary>
    public static ClaimsPrincipal User(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, $"{role.ToLowerInvariant()}@tests.local"), new Claim(ClaimTypes.Role, role)], "tests"));

    /// <summary>PNG bytes of one cell of the synthetic set.</summary>
    public byte[] Png(int index) => Set.RenderPng(Set.Cells[index]);

    /// <summary>A zip in memory from (entry name, bytes) pairs.</summary>
    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(bytes);
            }
        return stream.ToArray();
    }

    /// <summary>Files left in the data directory's scratch folder (uploads must not stay there).</summary>
    public IReadOnlyList<string> TempFiles()
    {
        var tmp = Path.Combine(DataDirectory, "tmp");
        return Directory.Exists(tmp) ? Directory.GetFiles(tmp, "*", SearchOption.AllDirectories) : [];
    }

    public void Dispose()
    {
        Factory.Dispose();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }
}
