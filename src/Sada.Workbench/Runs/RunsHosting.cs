using Microsoft.Extensions.DependencyInjection.Extensions;
using Sada.Core.Configuration;
using Sada.Data.Datasets;
using Sada.Data.Runs;
using Sada.Workbench.Review;
using StackExchange.Redis;

namespace Sada.Workbench.Runs;

/// <summary>Registrations of runs: queue, store, events over SignalR, the hub and the worker.</summary>
public static class RunsHosting
{
    public static WebApplicationBuilder AddSadaRuns(this WebApplicationBuilder builder)
    {
        builder.Services.AddSadaRunWorker(builder.Configuration);
        builder.Services.AddSingleton<RunCancellation>();
        builder.Services.AddSingleton<RunPages>();
        builder.Services.AddSingleton<ComparePages>();
        builder.Services.AddSingleton<RunOverviewPages>();
        builder.Services.AddSingleton<RunsTablePages>();
        builder.Services.AddSingleton<RunSetFeeds>();
        builder.Services.AddSingleton<RunTimeEstimator>();
        builder.Services.AddSingleton<NewRunPages>();
        builder.Services.AddSingleton<CheckpointEmbedder>();
        builder.Services.AddSadaReview();
        return builder;
    }

    /// <summary>
    /// What a web instance and a headless <c>sada worker</c> share: the queue, the store, the one <see cref="IRunEvents"/>
    /// (SignalR's hub context and the in-process pages' bus) and, unless Sada:Worker:Enabled is false, the worker.
    /// </summary>
    public static IServiceCollection AddSadaRunWorker(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RunWorkerOptions.Section).Get<RunWorkerOptions>() ?? new RunWorkerOptions();
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new RunQueueOptions(options.StaleAfter));
        services.AddSingleton<RunQueue>();
        services.AddSingleton<RunStore>();
        services.TryAddSingleton<RunCatalog>();
        services.TryAddSingleton(sp => new ImageStore(sp.GetRequiredService<SadaOptions>().ResolveDataDirectory()));
        services.TryAddSingleton<DatasetReads>();
        var signalR = services.AddSignalR();
        services.AddSingleton<SignalRRunEvents>();
        services.AddSingleton<RunEventBus>();
        services.AddSingleton<IRunEvents, BroadcastRunEvents>();
        var redis = RedisOptions.From(configuration);
        services.AddSingleton(redis);
        if (redis.Enabled)
        {
            // Hub clients of every web instance get every process's events through SignalR's backplane; pages through the relay.
            signalR.AddStackExchangeRedis(o =>
            {
                o.Configuration = redis.ToRedis();
                o.Configuration.ChannelPrefix = RedisChannel.Literal(redis.ChannelPrefix + ":signalr");
            });
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.ToRedis()));
            services.AddSingleton<RedisRunEventRelay>();
            services.AddSingleton<IPageEventRoute>(sp => sp.GetRequiredService<RedisRunEventRelay>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisRunEventRelay>());
        }
        else
        {
            services.AddSingleton<IPageEventRoute, LocalPageRoute>();
        }
        if (options.Enabled)
        {
            services.AddSingleton<RunWorker>();
            services.AddHostedService(sp => sp.GetRequiredService<RunWorker>());
        }
        return services;
    }

    public static WebApplication MapRunsHub(this WebApplication app)
    {
        app.MapHub<RunsHub>(RunsHub.Path);
        return app;
    }
}
