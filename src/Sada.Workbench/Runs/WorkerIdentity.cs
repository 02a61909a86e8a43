namespace Sada.Workbench.Runs;

/// <summary>
/// A worker's name in the Run rows. It must survive the worker's restart, so that a restarted worker recognises the runs
/// its previous life left running and resumes them at once: it is <c>Sada:Worker:WorkerId</c> (<c>sada worker
/// --worker-id</c>) when set, else the machine's name and "worker" — never a process id. While a worker lives it holds a
/// lock file under &lt;data&gt;/workers/, so a second live process cannot take the same name (it would requeue the
/// first one's runs as its own).
/// </summary>
public sealed class WorkerIdentity : IDisposable
{
    public const string DefaultSuffix = "worker";

    readonly FileStream _lock;

    WorkerIdentity(string id, FileStream lockFile)
    {
        Id = id;
        _lock = lockFile;
    }

    public string Id { get; }

    public static string Resolve(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? $"{Environment.MachineName}:{DefaultSuffix}" : configured.Trim();

    /// <summary>Takes the name's lock, waiting up to <paramref name="wait"/> for a stopping predecessor to let it go.</summary>
    public static WorkerIdentity Acquire(string id, string dataDirectory, TimeSpan wait, CancellationToken cancellation)
    {
        var folder = Path.Combine(dataDirectory, "workers");
        Directory.CreateDirectory(folder);
        var safe = string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var path = Path.Combine(folder, safe + ".lock");
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix), released when the process dies.
                return new WorkerIdentity(id, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                cancellation.ThrowIfCancellationRequested();
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"Worker id '{id}' is in use by another live worker on this data directory ({path}). Give each worker its own " +
                    $"{RunWorkerOptions.Section}:WorkerId (sada worker --worker-id NAME).", e);
            }
        }
    }

    public void Dispose() => _lock.Dispose();
}
