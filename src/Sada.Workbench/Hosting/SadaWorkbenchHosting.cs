using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;
using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Data;
using Sada.Workbench.Accounts;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Hosting;

/// <summary>The workbench's registrations, so Program.cs reads as a list.</summary>
public static class SadaWorkbenchHosting
{
    public static WebApplicationBuilder AddSadaWorkbench(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SadaOptions.Section).Get<SadaOptions>() ?? new SadaOptions();
        options.Validate();
        options.ApplyProcessWide();
        Directory.CreateDirectory(options.ResolveDataDirectory());

        // Urls from the Sada section unless ASPNETCORE_URLS / --urls say otherwise.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls(options.Urls);
        // Serve package and project static assets from their build locations in every environment,
        // not only Development (dotnet run without a launch profile runs as Production).
        builder.WebHost.UseStaticWebAssets();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => TorchRuntime.Initialize(options.Device, options.ResolveTorchThreads()));
        builder.Services.AddSadaData(SadaDatabaseOptions.From(builder.Configuration), options.ResolveDatabasePath());
        builder.Services.AddSadaDatasets(builder.Configuration);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddAuthorizationBuilder().AddWorkbenchPolicies();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Applies migrations at start; the app refuses to start on a database it cannot migrate.</summary>
    public static WebApplication UseSadaDatabase(this WebApplication app)
    {
        using var db = app.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();
        var migration = db.MigrateSadaDatabase();
        var options = app.Services.GetRequiredService<SadaOptions>();
        app.Logger.LogInformation("Database {Database} at migration {Migration}; data directory {Data}",
            app.Services.GetRequiredService<SadaDatabaseOptions>().Describe(options.ResolveDatabasePath()), migration, options.ResolveDataDirectory());
        var torch = app.Services.GetRequiredService<TorchStatus>();
        if (torch.Loaded) app.Logger.LogInformation("TorchSharp {Version} on {Device} with {Threads} threads", torch.TorchSharpVersion, torch.Device, torch.Threads);
        else app.Logger.LogError("TorchSharp did not load: {Error}", torch.Error);
        return app;
    }
}
