using Sada.Core.Configuration;

namespace Sada.Cli.Tests;

/// <summary>
/// Runs `sada` in-process against its own data directory in a temporary folder (settings isolated per test
/// through CliSettings.Use), capturing the exit code, standard output and standard error.
/// </summary>
public abstract class CliSandbox : IDisposable
{
    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "sada-cli-tests-" + Guid.NewGuid().ToString("N"));
    readonly IDisposable _settings;

    protected CliSandbox() =>
        _settings = CliSettings.Use(new SadaOptions { DataDirectory = Path.Combine(Root, "data"), TorchThreads = 1 });

    protected static (int Code, string Output, string Error) Sada(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        _settings.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
