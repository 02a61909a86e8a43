using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Sada.Tests.Shared;

/// <summary>
/// The PostgreSQL server the tests use: the one named by SADA_TEST_POSTGRES (a connection string to a role that may create
/// databases; .ci/run starts one), else one this test process starts once with Debian's initdb and pg_ctl on a free
/// loopback port in a temporary folder, and stops at exit. When neither works, <see cref="Unavailable"/> says why, and the
/// tests that need it are reported skipped with that reason.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "SADA_TEST_POSTGRES";

    static readonly Lazy<(string? Admin, string? Reason)> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why no server is available, or null when one is.</summary>
    public static string? Unavailable => Server.Value.Reason;

    /// <summary>Creates an empty database of its own; returns its connection string.</summary>
    public static string CreateDatabase()
    {
        var admin = Server.Value.Admin ?? throw new InvalidOperationException("No PostgreSQL server for the tests: " + Unavailable);
        var name = "sada_test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database <see cref="CreateDatabase"/> made, closing its connections first.</summary>
    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Server.Value.Admin);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    static (string?, string?) Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            return Reachable(given) is { } unreachable ? (null, $"{Variable} is set but the server does not answer: {unreachable}") : (given, null);
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null) return (null, "no PostgreSQL here (/usr/lib/postgresql/*/bin/initdb: apt-get install postgresql) and SADA_TEST_POSTGRES is not set");
        var folder = Path.Combine(Path.GetTempPath(), "sada-test-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        // initdb refuses to run as root: as root, the cluster belongs to the postgres account.
        bool root = Environment.UserName == "root";
        if (root && Run("chown", ["postgres", folder]) is { } chown) return (null, "cannot hand the cluster folder to the postgres account: " + chown);
        int port = FreePort();
        var data = Path.Combine(folder, "data");
        if (Run(bin + "/initdb", ["-D", data, "-U", "sada", "--auth=trust", "-E", "UTF8", "--no-sync"], root) is { } init)
            return (null, "initdb failed: " + init);
        if (Run(bin + "/pg_ctl", ["-D", data, "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "-o",
                $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start"], root) is { } start)
            return (null, "pg_ctl start failed: " + start);
        StopWhenThisProcessEnds($"{Sudo(root)}{bin}/pg_ctl -D {data} -m immediate -w stop; rm -rf {folder}");
        var admin = $"Host=127.0.0.1;Port={port};Username=sada;Database=postgres;Pooling=true;Maximum Pool Size=50";
        return Reachable(admin) is { } error ? (null, "the server started but does not answer: " + error) : (admin, null);
    }

    static string Sudo(bool root) => root ? "runuser -u postgres -- " : "";

    /// <summary>
    /// A watchdog shell that runs <paramref name="command"/> once this process is gone, however it ends: the test host may be
    /// killed by the runner before any exit handler of its own completes.
    /// </summary>
    static void StopWhenThisProcessEnds(string command)
    {
        // setsid: outside this process's group, so a runner that kills the test host's tree does not take the watchdog too.
        var watchdog = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        watchdog.ArgumentList.Add("sh");
        watchdog.ArgumentList.Add("-c");
        watchdog.ArgumentList.Add($"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {command}");
        Process.Start(watchdog)?.Dispose();
    }

    static string? Reachable(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a tool to its end; returns null on success, else its output.</summary>
    static string? Run(string file, string[] arguments, bool asPostgres = false)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {stderr.Trim()} {stdout.Result.Trim()}".Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
