using Microsoft.Extensions.Configuration;
using Sada.Core.Configuration;

namespace Sada.Cli;

/// <summary>The `Sada` section, read as the web app reads it: appsettings.json (working directory first,
/// else the copy next to the tool), then environment variables such as Sada__DataDirectory.</summary>
public static class CliSettings
{
    public static SadaOptions Load()
    {
        var local = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        var json = File.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(json, optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = configuration.GetSection(SadaOptions.Section).Get<SadaOptions>() ?? new SadaOptions();
        options.Validate();
        return options;
    }
}
