using Microsoft.Extensions.DependencyInjection.Extensions;
using Sada.Core.Configuration;
using Sada.Data.Datasets;

namespace Sada.Workbench.Datasets;

public static class DatasetServices
{
    /// <summary>
    /// The synthetic first-start dataset (options from `Sada:Synthetic`, the seeder as a hosted service) and the dataset
    /// pages' services (options from `Sada:Datasets`).
    /// </summary>
    public static IServiceCollection AddSadaDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SyntheticSeedOptions.Section).Get<SyntheticSeedOptions>() ?? new SyntheticSeedOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<SyntheticDatasetSeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<SyntheticDatasetSeeder>());

        var imports = configuration.GetSection(DatasetImportOptions.Section).Get<DatasetImportOptions>() ?? new DatasetImportOptions();
        imports.Validate();
        services.AddSingleton(imports);
        services.TryAddSingleton(sp => new ImageStore(sp.GetRequiredService<SadaOptions>().ResolveDataDirectory()));
        services.TryAddSingleton<DatasetReads>();
        services.TryAddSingleton<DatasetWrites>();
        services.AddSingleton<DatasetAdmin>();
        services.AddSingleton<DatasetBrowser>();
        services.AddSingleton<StainExplorer>();
        return services;
    }
}
