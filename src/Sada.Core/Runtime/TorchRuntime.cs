using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Runtime;

/// <summary>What the native backend reported when it was loaded: for /health, `sada doctor` and run records.</summary>
public sealed record TorchStatus(
    bool Loaded,
    string TorchSharpVersion,
    string? LibTorchVersion,
    string Device,
    bool CudaAvailable,
    int Threads,
    string? NativeLibrary,
    string? Error);

/// <summary>
/// Loads TorchSharp's native backend once, picks the device and sets the thread count.
/// A load failure is captured, not thrown, so a web page can say what is wrong.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static TorchStatus? _status;

    public static TorchStatus Status => _status ?? throw new InvalidOperationException("TorchRuntime.Initialize has not run.");

    /// <param name="device">"auto", "cpu", "cuda" or "cuda:N".</param>
    /// <param name="threads">Intra-op threads, at least 1.</param>
    public static TorchStatus Initialize(string device = "auto", int threads = 1)
    {
        lock (Gate)
        {
            if (_status is { Loaded: true }) return _status;
            // Before libtorch allocates anything: its freed tensors go back to the system (NativeHeap).
            NativeHeap.Configure();
            var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
            version = version.Split('+')[0];
            try
            {
                bool cuda = torch.cuda.is_available();
                string chosen = ChooseDevice(device, cuda);
                torch.set_num_threads(Math.Max(1, threads));
                // One tiny op proves the library really works, not only that it loaded.
                using (var probe = torch.ones(2, 2)) probe.sum().item<float>();
                _status = new TorchStatus(true, version, LibTorchVersion(), chosen, cuda, torch.get_num_threads(), NativeLibraryPath(), null);
            }
            catch (Exception e) when (e is DllNotFoundException or NotSupportedException or TypeInitializationException or InvalidOperationException or ExternalException)
            {
                _status = new TorchStatus(false, version, null, "none", false, 0, NativeLibraryPath(), Explain(e));
            }
            return _status;
        }
    }

    public static Device Device => new(Status.Device);

    internal static string ChooseDevice(string requested, bool cudaAvailable)
    {
        var r = requested.Trim().ToLowerInvariant();
        if (r == "auto") return cudaAvailable ? "cuda" : "cpu";
        if (r == "cpu") return "cpu";
        if (r.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!cudaAvailable)
                throw new InvalidOperationException($"Device '{requested}' was requested but CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or set Sada:Device to auto or cpu).");
            return r;
        }
        throw new InvalidOperationException($"Unknown device '{requested}': use auto, cpu, cuda or cuda:N.");
    }

    /// <summary>libtorch's version, from the name of the native package folder TorchSharp restored with (libtorch-cpu-linux-x64/2.10.0).</summary>
    static string? LibTorchVersion()
    {
        var deps = Path.Combine(AppContext.BaseDirectory, AppDomain.CurrentDomain.FriendlyName + ".deps.json");
        if (!File.Exists(deps)) return null;
        var m = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(deps), "\"libtorch-(?:cpu|cuda-[0-9.]+)-[a-z0-9-]+/([0-9.]+)\"");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The libLibTorchSharp.so this process would load: next to the app or under runtimes/&lt;rid&gt;/native.</summary>
    public static string? NativeLibraryPath()
    {
        var name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        var baseDir = AppContext.BaseDirectory;
        var direct = Path.Combine(baseDir, name);
        if (File.Exists(direct)) return direct;
        var runtimes = Path.Combine(baseDir, "runtimes");
        return Directory.Exists(runtimes)
            ? Directory.EnumerateFiles(runtimes, name, SearchOption.AllDirectories).FirstOrDefault()
            : null;
    }

    static string Explain(Exception e)
    {
        var text = e.ToString();
        if (text.Contains("GLIBCXX_3.4.32") || (OperatingSystem.IsLinux() && text.Contains("LibTorchSharp")))
            return "TorchSharp's native library did not load. On Linux with a libstdc++ older than GCC 13's (GLIBCXX_3.4.32), " +
                   "The build marks that need weak in the copy in the build output: rebuild (dotnet build) so the patch runs, " +
                   "and do not copy libLibTorchSharp.so from the NuGet cache by hand. Details: " + Innermost(e).Message;
        return "TorchSharp's native backend could not load: " + Innermost(e).Message +
               " Check that the TorchSharp-cpu (or TorchSharp-cuda-linux) package restored and that its runtimes/ folder is next to the app.";
    }

    static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
