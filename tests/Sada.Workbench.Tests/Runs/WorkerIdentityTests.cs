using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

public sealed class WorkerIdentityTests : IDisposable
{
    readonly string _data = Path.Combine(Path.GetTempPath(), "sada-worker-id-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_identity_is_the_configured_name_or_the_machine_name_and_never_the_process_id()
    {
        Assert.Equal("gpu-1", WorkerIdentity.Resolve(" gpu-1 "));
        var fallback = WorkerIdentity.Resolve(null);
        Assert.Equal($"{Environment.MachineName}:worker", fallback);
        // The same on every start of the process: a restarted worker recognises the runs it left.
        Assert.DoesNotContain(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), fallback.Replace(Environment.MachineName, ""));
    }

    [Fact]
    public void A_second_live_worker_cannot_take_a_name_in_use_and_gets_it_once_released()
    {
        var first = WorkerIdentity.Acquire("gpu-1", _data, TimeSpan.Zero, CancellationToken.None);
        var refused = Assert.Throws<InvalidOperationException>(() => WorkerIdentity.Acquire("gpu-1", _data, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Contains("Sada:Worker:WorkerId", refused.Message);
        Assert.Contains("--worker-id", refused.Message);
        using (WorkerIdentity.Acquire("gpu-2", _data, TimeSpan.Zero, CancellationToken.None)) { }
        first.Dispose();
        using var again = WorkerIdentity.Acquire("gpu-1", _data, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("gpu-1", again.Id);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
