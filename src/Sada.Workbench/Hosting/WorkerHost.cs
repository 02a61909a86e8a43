using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Data;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Hosting;

/// <summary>
/// The headless worker behind <c>sada worker</c>: the same <see cref="RunWorker"/> and the same <see cref="IRunEvents"/> the
/// web app hosts, on the configured database, with no web server. It trains queued runs until Ctrl-C or SIGTERM; the run
/// in hand then goes back to the queue and resumes from its checkpoint on whichever worker claims it next.
/// </summary>
public static class WorkerHost
{
    /// <param name="settings">Overrides applied last (the command's options: Sada:Device, Sada:Worker:WorkerId).</param>
    /// <param name="stopTimeout">How long the worker may take to stop (its current step, then handing its run back).</param>
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, TimeSpan stopTimeout)
    {
        // appsettings.json from the working directory, else the copy next to the tool, as the other sada commands read it.
        var root = File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? Directory.GetCurrentDirectory() : AppContext.BaseDirectory;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root, Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        var worker = builder.Configuration.GetSection(RunWorkerOptions.Section);
        if (!worker.GetValue(nameof(RunWorkerOptions.Enabled), true))
            throw new InvalidOperationException($"{RunWorkerOptions.Section}:Enabled is false: this worker would train nothing.");

        var sada = builder.Configuration.GetSection(SadaOptions.Section).Get<SadaOptions>() ?? new SadaOptions();
        sada.Validate();
        Directory.CreateDirectory(sada.ResolveDataDirectory());
        builder.Services.AddSingleton(sada);
        builder.Services.AddSingleton(_ => TorchRuntime.Initialize(sada.Device, sada.ResolveTorchThreads()));
        builder.Services.AddSadaData(SadaDatabaseOptions.From(builder.Configuration), sada.ResolveDatabasePath());
        builder.Services.AddSadaRunWorker(builder.Configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = stopTimeout);
        var host = builder.Build();

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WorkerHost));
        using (var db = host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<SadaDbContext>>().CreateDbContext())
        {
            var migration = db.MigrateSadaDatabase();
            logger.LogInformation("Database {Database} at migration {Migration}; data directory {Data}",
                host.Services.GetRequiredService<SadaDatabaseOptions>().Describe(sada.ResolveDatabasePath()), migration, sada.ResolveDataDirectory());
        }
        var torch = host.Services.GetRequiredService<TorchStatus>();
        if (!torch.Loaded) throw new InvalidOperationException($"TorchSharp did not load: {torch.Error}");
        logger.LogInformation("TorchSharp {Version} on {Device} with {Threads} threads", torch.TorchSharpVersion, torch.Device, torch.Threads);
        return host;
    }
}
