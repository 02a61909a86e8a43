using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Configuration;
using Sada.Core.Synthetic;
using Sada.Data;
using Sada.Data.Datasets;

namespace Sada.Workbench.Datasets;

/// <summary>
/// At first start (no dataset in the database) renders the synthetic multi-center set into a scratch folder
/// and imports it, in the background so the app answers at once. <see cref="Completion"/> tells when it is done.
/// </summary>
public sealed class SyntheticDatasetSeeder(
    DatasetWrites datasets, SadaOptions sada, SyntheticSeedOptions options, ILogger<SyntheticDatasetSeeder> logger) : BackgroundService
{
    readonly TaskCompletionSource<string> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the seeding did ("disabled", "skipped: ...", "registered ..."); faults if it failed.</summary>
    public Task<string> Completion => completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Off the start-up path: rendering and import take seconds.
            var outcome = await Task.Run(() => Seed(stoppingToken), stoppingToken);
            completion.TrySetResult(outcome);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            completion.TrySetCanceled(stoppingToken);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Registering the synthetic dataset failed");
            completion.TrySetException(e);
        }
    }

    void RemovePartial()
    {
        try
        {
            if (datasets.IsSynthetic(options.Name)) datasets.Delete(options.Name);
        }
        catch (Exception e) when (e is DatasetException or IOException or DbUpdateException)
        {
            logger.LogWarning("Could not remove the partial synthetic dataset {Name}: {Message}", options.Name, e.Message);
        }
    }

    string Seed(CancellationToken cancellationToken)
    {
        if (!options.Enabled) return "disabled";
        if (datasets.Any()) return "skipped: the database already holds datasets";

        var watch = Stopwatch.StartNew();
        var set = new SyntheticBloodCells(new SyntheticSetOptions(options.Centers, options.PerCenter, options.Size, options.Seed));
        var scratch = Path.Combine(sada.ResolveDataDirectory(), "tmp", $"synthetic-{Guid.NewGuid():N}");
        logger.LogInformation("Registering the synthetic dataset {Name}: {Centers} centers x {PerCenter} cells at {Size} px, seed {Seed}",
            options.Name, options.Centers, options.PerCenter, options.Size, options.Seed);
        try
        {
            set.WriteImageFolder(scratch, new Progress<SynthProgress>(p =>
            {
                if (p.Done % 500 == 0 || p.Done == p.Total) logger.LogInformation("Synthetic dataset: rendered {Done}/{Total}", p.Done, p.Total);
            }), cancellationToken);
            ImportReport report;
            try
            {
                report = datasets.Import(importer => importer.ImportFolder(scratch, new ImportRequest(options.Name, IsSynthetic: true,
                    Description: $"Synthetic blood cells: {options.Centers} centers x {options.PerCenter} at {options.Size} px, seed {options.Seed}"),
                    new Progress<ImportProgress>(p => { if (p.Done == p.Total) logger.LogInformation("Synthetic dataset: imported {Center}", p.Center); }),
                    within: null,
                    cancellationToken));
            }
            catch (DatasetException e) when (e.Message.Contains("already exists"))
            {
                return "skipped: another process registered it meanwhile";
            }
            catch (OperationCanceledException)
            {
                // Stopped mid-way: leave no partial set, so the next start registers it whole.
                RemovePartial();
                throw;
            }
            if (!report.Succeeded)
            {
                RemovePartial();
                throw new InvalidOperationException($"the synthetic dataset did not import: {string.Join("; ", report.Centers.Where(c => !c.Imported).Select(c => $"{c.Name}: {c.Error}"))}");
            }
            logger.LogInformation("Registered the synthetic dataset {Name}: {Images} images in {Seconds:F1} s", options.Name, report.ImageCount, watch.Elapsed.TotalSeconds);
            return $"registered {options.Name} ({report.ImageCount} images)";
        }
        finally
        {
            try
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
                var parent = Path.GetDirectoryName(scratch)!;
                if (!Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
            }
            catch (IOException e) { logger.LogWarning("Could not remove {Scratch}: {Message}", scratch, e.Message); }
        }
    }
}
