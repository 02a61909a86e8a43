using Sada.Core.Runtime;

namespace Sada.Core.Tests.Runtime;

public class NativeHeapTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(s => s.Name == name).Value;

    [Fact]
    public void On_Linux_all_three_settings_are_applied_when_the_user_set_none()
    {
        var applied = NativeHeap.ToApply(Env(), linux: true).Select(s => (s.Name, s.Value)).ToList();
        Assert.Equal([("M_MMAP_THRESHOLD", 262144), ("M_TRIM_THRESHOLD", 262144), ("M_ARENA_MAX", 2)], applied);
    }

    [Fact]
    public void A_setting_the_user_gave_glibc_is_left_alone()
    {
        var applied = NativeHeap.ToApply(Env(("MALLOC_ARENA_MAX", "4")), linux: true).Select(s => s.Name).ToList();
        Assert.Equal(["M_MMAP_THRESHOLD", "M_TRIM_THRESHOLD"], applied);
    }

    [Fact]
    public void Nothing_is_applied_off_Linux_or_when_switched_off()
    {
        Assert.Empty(NativeHeap.ToApply(Env(), linux: false));
        Assert.Empty(NativeHeap.ToApply(Env(("SADA_MALLOC_DEFAULTS", "0")), linux: true));
    }

    [Fact]
    public void Loading_torch_applies_them_on_Linux()
    {
        TorchRuntime.Initialize("cpu", 1);
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("SADA_MALLOC_DEFAULTS") == "0") return;
        Assert.Contains(NativeHeap.Applied, a => a.StartsWith("M_MMAP_THRESHOLD=", StringComparison.Ordinal)
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null);
    }
}
