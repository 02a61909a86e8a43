using Sada.Build;

namespace Sada.Core.Tests.Native;

public class LibTorchSharpPatchTests
{
    const string Needed = "GLIBCXX_3.4.32";

    /// <summary>The library as the NuGet package ships it, found through the package cache.</summary>
    static string ShippedLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's native library is not in the package cache at {path}");
        return path;
    }

    [Fact]
    public void Shipped_library_needs_glibcxx_3_4_32_strictly()
    {
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(ShippedLibrary()));
        var need = Assert.Single(needs, n => n.Version == Needed);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void Patch_marks_only_that_version_weak_and_is_idempotent()
    {
        var original = File.ReadAllBytes(ShippedLibrary());
        var copy = (byte[])original.Clone();

        Assert.True(ElfVersionNeeds.MarkWeak(copy, Needed));
        var tmp = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(tmp, copy);
        try
        {
            var before = ElfVersionNeeds.Read(original);
            var after = ElfVersionNeeds.Read(File.ReadAllBytes(tmp));
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Version, after[i].Version);
                var expected = before[i].Version == Needed ? (ushort)(before[i].Flags | ElfVersionNeeds.VerFlgWeak) : before[i].Flags;
                Assert.Equal(expected, after[i].Flags);
            }
            // Exactly the two bytes of one vna_flags differ (in fact one bit).
            var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != copy[i]).ToArray();
            Assert.Single(differing);
            Assert.Equal(ElfVersionNeeds.VerFlgWeak, (ushort)(original[differing[0]] ^ copy[differing[0]]));

            Assert.False(ElfVersionNeeds.MarkWeak(copy, Needed)); // already weak: no change
        }
        finally { File.Delete(tmp); }
    }

    [Fact]
    public void Build_output_copy_is_patched_when_the_host_lacks_the_version()
    {
        var lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();
        Assert.NotNull(lib);
        var need = ElfVersionNeeds.Read(File.ReadAllBytes(lib)).Single(n => n.Version == Needed);
        bool hostHasIt = ElfVersionNeeds.HostLibStdCxxHas(Needed, ElfVersionNeeds.LibStdCxxPaths);
        Assert.Equal(!hostHasIt, need.IsWeak);
        // The package cache keeps the library as shipped.
        Assert.False(ElfVersionNeeds.Read(File.ReadAllBytes(ShippedLibrary())).Single(n => n.Version == Needed).IsWeak);
    }

    [Fact]
    public void Refuses_a_file_that_is_not_elf()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
        Assert.Contains("not an ELF file", e.Message);
    }
}
