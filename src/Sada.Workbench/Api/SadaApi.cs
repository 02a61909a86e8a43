using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sada.Core.Configuration;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Api;

/// <summary>The JSON API under /api for scripts: datasets, runs and studies.</summary>
public static class SadaApi
{
    /// <summary>The services the endpoints call (all in Sada.Data), problem details for errors, enums as camelCase strings.</summary>
    public static IServiceCollection AddSadaApi(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(RequestLimitOptions.Section).Get<RequestLimitOptions>() ?? new RequestLimitOptions();
        limits.Validate();
        services.AddSingleton(limits);
        var runLimits = configuration.GetSection(RunLimits.Section).Get<RunLimits>() ?? new RunLimits();
        runLimits.Validate();
        services.TryAddSingleton(runLimits);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestProblems>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RunQueue>();
        services.TryAddSingleton<RunRequests>();
        services.TryAddSingleton<RunCatalog>();
        services.TryAddSingleton<RunAnnotations>();
        services.TryAddSingleton<StoredCounts>();
        services.TryAddSingleton<DatabaseStatus>();
        services.TryAddSingleton<DatasetReads>();
        services.TryAddSingleton<StudyService>();
        services.TryAddSingleton(sp => new ImageStore(sp.GetRequiredService<SadaOptions>().ResolveDataDirectory()));
        services.TryAddScoped(sp => new DatasetCatalog(sp.GetRequiredService<SadaDbContext>(), sp.GetRequiredService<ImageStore>()));
        return services;
    }

    /// <summary>
    /// Under /api only: an unhandled exception or a bare error status (a body that is not JSON, an unmatched route) answers
    /// problem+json instead of the app's HTML error page.
    /// </summary>
    public static IApplicationBuilder UseSadaApi(this IApplicationBuilder app) =>
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
            api.UseMiddleware<RequestBodyLimitMiddleware>();
        });

    public static IEndpointRouteBuilder MapSadaApi(this IEndpointRouteBuilder app)
    {
        app.MapDatasetsApi();
        app.MapRunsApi();
        app.MapRunAnnotationsApi();
        app.MapDownloadsApi();
        app.MapStudiesApi();
        app.MapRunLossesApi();
        return app;
    }
}
