using Microsoft.Extensions.Configuration;
using Sada.Core.Configuration;
using Sada.Data;

namespace Sada.Cli;

/// <summary>The `Sada` section, read as the web app reads it: appsettings.json (working directory first,
/// else the copy next to the tool), then environment variables such as Sada__DataDirectory.</summary>
public static class CliSettings
{
    static readonly AsyncLocal<SadaOptions?> current = new();

    /// <summary>
    /// Runs the commands of this async flow on <paramref name="options"/> instead of the configuration files and
    /// environment (tests run in parallel in one process, where environment variables would leak between them).
    /// </summary>
    public static IDisposable Use(SadaOptions options)
    {
        var previous = current.Value;
        current.Value = options;
        return new Restore(() => current.Value = previous);
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    public static SadaOptions Load()
    {
        if (current.Value is { } overridden) return overridden;
        var options = Configuration().GetSection(SadaOptions.Section).Get<SadaOptions>() ?? new SadaOptions();
        options.Validate();
        options.ApplyProcessWide();
        return options;
    }

    /// <summary>Sada:Database's provider and connection string (SQLite when commands run on overridden options, in tests).</summary>
    public static SadaDatabaseOptions LoadDatabase() =>
        current.Value is not null ? new SadaDatabaseOptions() : SadaDatabaseOptions.From(Configuration());

    /// <summary>One configuration value by its key (e.g. Sada:Redis:Configuration); null when unset or in tests.</summary>
    public static string? Setting(string key) =>
        current.Value is null && Configuration()[key] is { Length: > 0 } value ? value : null;

    static IConfigurationRoot Configuration()
    {
        var local = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        var json = File.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        return new ConfigurationBuilder()
            .AddJsonFile(json, optional: true)
            .AddEnvironmentVariables()
            .Build();
    }
}
