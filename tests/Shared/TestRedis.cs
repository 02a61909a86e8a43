using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sada.Tests.Shared;

/// <summary>
/// The Redis server the tests use: the one named by SADA_TEST_REDIS (host:port; .ci/run starts one), else one this test
/// process starts once with Debian's redis-server on a free loopback port in a temporary folder, stopped when the process
/// ends. When neither works, <see cref="Unavailable"/> says why and the tests that need it are reported skipped with it.
/// </summary>
public static class TestRedis
{
    public const string Variable = "SADA_TEST_REDIS";

    static readonly Lazy<(string? Configuration, string? Reason)> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why no server is available, or null when one is.</summary>
    public static string? Unavailable => Server.Value.Reason;

    /// <summary>host:port of the server.</summary>
    public static string Configuration => Server.Value.Configuration ?? throw new InvalidOperationException("No Redis server for the tests: " + Unavailable);

    static (string?, string?) Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            return Answers(given) ? (given, null) : (null, $"{Variable}={given} is set but no Redis answers PING there");
        const string server = "/usr/bin/redis-server";
        if (!File.Exists(server)) return (null, $"no {server} here (apt-get install redis-server) and {Variable} is not set");
        var folder = Path.Combine(Path.GetTempPath(), "sada-test-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        int port = FreePort();
        var start = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder,
                     "--save", "", "--appendonly", "no", "--daemonize", "yes", "--pidfile", Path.Combine(folder, "redis.pid"), "--logfile", Path.Combine(folder, "log") })
            start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            if (process.ExitCode != 0) return (null, $"redis-server exited with {process.ExitCode}: {process.StandardError.ReadToEnd().Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "redis-server did not start: " + e.Message);
        }
        var configuration = $"127.0.0.1:{port}";
        StopWhenThisProcessEnds($"kill $(cat {folder}/redis.pid); sleep 1; rm -rf {folder}");
        for (int i = 0; i < 50 && !Answers(configuration); i++) Thread.Sleep(100);
        return Answers(configuration) ? (configuration, null) : (null, $"redis-server started on {configuration} but does not answer PING");
    }

    /// <summary>Speaks the protocol directly (no client library needed): PING answers +PONG.</summary>
    static bool Answers(string configuration)
    {
        try
        {
            var parts = configuration.Split(',')[0].Split(':');
            using var client = new TcpClient();
            client.Connect(parts[0], parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 6379);
            using var stream = client.GetStream();
            stream.ReadTimeout = 2000;
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            int n = stream.Read(buffer);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or FormatException)
        {
            return false;
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A watchdog outside this process's group that stops the server once this process is gone, however it ends.</summary>
    static void StopWhenThisProcessEnds(string command)
    {
        var watchdog = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "sh", "-c", $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {command}" })
            watchdog.ArgumentList.Add(a);
        Process.Start(watchdog)?.Dispose();
    }
}
