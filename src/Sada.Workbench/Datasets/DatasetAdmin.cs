using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Configuration;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Datasets;

/// <summary>What to register: a new dataset, or (with <paramref name="Center"/>) one new center of an existing one.</summary>
public sealed record ImportTarget(string Dataset, string? Center = null, bool AllowNewClasses = false)
{
    public ImportRequest ToRequest() => new(Dataset.Trim(), string.IsNullOrWhiteSpace(Center) ? null : Center.Trim(), AllowNewClasses);
}

/// <summary>How an import ended: the importer's report, or why nothing was imported (<paramref name="Error"/>).</summary>
public sealed record ImportOutcome(ImportReport? Report, string? Error, TimeSpan Elapsed)
{
    public static ImportOutcome Refused(string error) => new(null, error, TimeSpan.Zero);
}

/// <summary>
/// The dataset pages' writes: register from an uploaded zip or a server folder, delete. Each checks the
/// <see cref="WorkbenchPolicies.ManageData"/> policy itself, so a hidden button is not the only guard. Imports run off
/// the caller's thread, one at a time (they write the image store and the database, on a machine also training).
/// </summary>
public sealed class DatasetAdmin(
    DatasetWrites datasets, SadaOptions sada, DatasetImportOptions options,
    IAuthorizationService authorization, ILogger<DatasetAdmin> logger) : IDisposable
{
    readonly SemaphoreSlim oneImport = new(1, 1);

    public void Dispose() => oneImport.Dispose();

    public ImportRoots Roots { get; } = new(options.ImportRoots);

    public long MaxUploadBytes => options.MaxUploadBytes;

    /// <summary>
    /// Copies the browser's stream to a temporary file (reporting the bytes received), imports it as a zip, and
    /// deletes the file. A stream longer than <see cref="MaxUploadBytes"/>, a file that is no zip, a zip slip or a bomb
    /// end with a message and leave nothing behind.
    /// </summary>
    public async Task<ImportOutcome> ImportUploadAsync(ClaimsPrincipal user, Stream upload, ImportTarget target,
        IProgress<long>? received = null, IProgress<ImportProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (await RefusalAsync(user) is { } refusal) return ImportOutcome.Refused(refusal);
        var temp = Path.Combine(sada.ResolveDataDirectory(), "tmp", $"upload-{Guid.NewGuid():N}.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        try
        {
            try
            {
                await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var chunk = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await upload.ReadAsync(chunk, cancellation)) > 0)
                {
                    total += read;
                    if (total > MaxUploadBytes) return ImportOutcome.Refused($"the upload is larger than the {Size(MaxUploadBytes)} limit");
                    await file.WriteAsync(chunk.AsMemory(0, read), cancellation);
                    received?.Report(total);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The browser stream refuses a file over its maxAllowedSize with an IOException, and a dropped circuit ends it
                // (JSDisconnectedException and the like): the partial file is deleted below and the page told.
                return ImportOutcome.Refused($"the upload did not complete: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                return ImportOutcome.Refused("the upload was cancelled");
            }
            return await ImportAsync(target, "upload", (importer, request) =>
            {
                using var zip = File.OpenRead(temp);
                return importer.ImportZip(zip, request, progress, cancellation);
            }, cancellation);
        }
        finally
        {
            try { File.Delete(temp); }
            catch (IOException e) { logger.LogWarning("Could not delete the uploaded file {File}: {Message}", temp, e.Message); }
        }
    }

    /// <summary>Imports a folder of the server, accepted only inside the configured roots (<see cref="Roots"/>).</summary>
    public async Task<ImportOutcome> ImportFolderAsync(ClaimsPrincipal user, string folder, ImportTarget target,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (await RefusalAsync(user) is { } refusal) return ImportOutcome.Refused(refusal);
        string real;
        try { real = Roots.Resolve(folder); }
        catch (DatasetException e) { return ImportOutcome.Refused(e.Message); }
        return await ImportAsync(target, real, (importer, request) => importer.ImportFolder(real, request, progress, Roots, cancellation), cancellation);
    }

    /// <summary>Deletes a dataset no run or study uses; the refusal (policy, runs using it) comes back as the message.</summary>
    public async Task<(DeletedDataset? Deleted, string? Error)> DeleteAsync(ClaimsPrincipal user, string name)
    {
        if (await RefusalAsync(user) is { } refusal) return (null, refusal);
        await oneImport.WaitAsync();
        try
        {
            var deleted = await Task.Run(() => datasets.Delete(name));
            logger.LogInformation("{User} deleted dataset {Name}: {Images} images, {Files} files", user.Identity?.Name, deleted.Name, deleted.Images, deleted.Files);
            return (deleted, null);
        }
        catch (DatasetException e) { return (null, e.Message); }
        finally { oneImport.Release(); }
    }

    async Task<ImportOutcome> ImportAsync(ImportTarget target, string source, Func<DatasetImporter, ImportRequest, ImportReport> import, CancellationToken cancellation)
    {
        var request = target.ToRequest();
        await oneImport.WaitAsync(cancellation);
        try
        {
            var watch = Stopwatch.StartNew();
            // The importer is synchronous and long: on the thread pool, never on the circuit's dispatcher.
            var report = await Task.Run(() => datasets.Import(importer => import(importer, request)), cancellation);
            logger.LogInformation("Imported {Source} into {Dataset}: {Imported} of {Centers} center(s), {Images} images, {Refused} file(s) refused",
                source, report.Dataset, report.Centers.Count(c => c.Imported), report.Centers.Count, report.ImageCount, report.Refused.Count);
            return new ImportOutcome(report, null, watch.Elapsed);
        }
        catch (DatasetException e) { return ImportOutcome.Refused(e.Message); }
        catch (IOException e) { return ImportOutcome.Refused($"the import failed reading its source: {e.Message}"); }
        catch (OperationCanceledException) { return ImportOutcome.Refused("the import was cancelled: centers finished before stay, the one under way was not imported"); }
        catch (Exception e)
        {
            // Whatever failed, the page gets a message instead of a circuit error and a progress bar stuck at 100 %.
            logger.LogError(e, "Import of {Source} into {Dataset} failed", source, request.Dataset);
            return ImportOutcome.Refused($"the import failed: {e.GetType().Name}: {e.Message}");
        }
        finally { oneImport.Release(); }
    }

    async Task<string?> RefusalAsync(ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, WorkbenchPolicies.ManageData)).Succeeded ? null : WorkbenchPolicies.Refusal(WorkbenchPolicies.ManageData);

    /// <summary>Bytes as the page shows them: "2 GiB", "512 MiB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
