using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Sada.Workbench.Tests;

/// <summary>The whole workbench in memory, on its own data directory in a temporary folder.</summary>
/// <remarks>The first-start synthetic dataset is off unless a test asks for a (tiny) one with <see cref="Synthetic"/>.</remarks>
public sealed class WorkbenchFactory : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string> synthetic;

    // One public constructor: xunit builds class fixtures through it.
    public WorkbenchFactory() : this([]) { }

    WorkbenchFactory(Dictionary<string, string> synthetic) => this.synthetic = synthetic;

    /// <summary>A workbench that registers a tiny synthetic set at start (2 centers x 12 cells at 32 px).</summary>
    public static WorkbenchFactory Synthetic() => new(new()
    {
        ["Sada:Synthetic:Enabled"] = "true", ["Sada:Synthetic:Centers"] = "2", ["Sada:Synthetic:PerCenter"] = "12", ["Sada:Synthetic:Size"] = "32",
    });

    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "sada-web-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>More settings, applied last.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>Service replacements (test doubles), applied after the app's registrations.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>Leave the data directory on disk at dispose (a second host opens it: crash-resume tests).</summary>
    public bool KeepData { get; init; }

    /// <summary>A tiny synthetic set and more settings, on a given data directory.</summary>
    public static WorkbenchFactory Synthetic(string dataDirectory, Dictionary<string, string> settings, bool keepData,
        Action<IServiceCollection>? testServices = null)
    {
        var factory = Synthetic();
        return new WorkbenchFactory(factory.synthetic)
        {
            DataDirectory = dataDirectory, Settings = settings, KeepData = keepData, TestServices = testServices,
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Sada:DataDirectory", DataDirectory);
        builder.UseSetting("Sada:TorchThreads", "1");
        builder.UseSetting("Sada:Synthetic:Enabled", "false");
        // A known first-admin password: nothing is generated and printed during tests.
        builder.UseSetting("Sada:Accounts:AdminPassword", TestAccounts.Password);
        // Tests queue the method's default config (ResNet-50, 224 px) without training it; the memory check has its own tests.
        builder.UseSetting("Sada:Runs:MemoryBudgetMB", "1048576");
        foreach (var (key, value) in synthetic) builder.UseSetting(key, value);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (TestServices is { } services) builder.ConfigureTestServices(services);
        builder.UseEnvironment("Testing");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!KeepData)
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
