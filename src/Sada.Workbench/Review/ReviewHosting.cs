using Sada.Workbench.Runs;

namespace Sada.Workbench.Review;

/// <summary>Registrations of the per-domain review and of prediction.</summary>
public static class ReviewHosting
{
    public static IServiceCollection AddSadaReview(this IServiceCollection services)
    {
        services.AddSingleton<RunCheckpoints>();
        services.AddSingleton<RunDownloads>();
        services.AddSingleton<TrainedClassifiers>();
        services.AddSingleton<MisclassificationGallery>();
        services.AddSingleton(new PredictionGate());
        services.AddSingleton<CellPredictor>();
        services.AddSingleton<ReviewPages>();
        return services;
    }
}
