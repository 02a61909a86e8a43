using Microsoft.Extensions.DependencyInjection.Extensions;
using Sada.Data.Runs;
using Sada.Workbench.Review;

namespace Sada.Workbench.Runs;

/// <summary>Registrations of runs: queue, store, events over SignalR, the hub and the worker.</summary>
public static class RunsHosting
{
    public static WebApplicationBuilder AddSadaRuns(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RunWorkerOptions.Section).Get<RunWorkerOptions>() ?? new RunWorkerOptions();
        options.Validate();
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RunQueue>();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<SignalRRunEvents>();
        builder.Services.AddSingleton<RunEventBus>();
        builder.Services.AddSingleton<IRunEvents, BroadcastRunEvents>();
        builder.Services.AddSingleton<RunCancellation>();
        builder.Services.AddSingleton<RunPages>();
        builder.Services.AddSingleton<ComparePages>();
        builder.Services.AddSingleton<RunTimeEstimator>();
        builder.Services.AddSingleton<NewRunPages>();
        builder.Services.AddSingleton<CheckpointEmbedder>();
        builder.Services.AddSadaReview();
        if (options.Enabled)
        {
            builder.Services.AddSingleton<RunWorker>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<RunWorker>());
        }
        return builder;
    }

    public static WebApplication MapRunsHub(this WebApplication app)
    {
        app.MapHub<RunsHub>(RunsHub.Path);
        return app;
    }
}
