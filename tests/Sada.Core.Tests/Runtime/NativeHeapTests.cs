using Sada.Core.Runtime;

namespace Sada.Core.Tests.Runtime;

public class NativeHeapTests
{
    static Func<string, string?> Env(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(s => s.Name == name).Value;

    [Fact]
    public void On_Linux_with_the_bound_asked_for_all_three_settings_are_applied_when_the_user_set_none()
    {
        var applied = NativeHeap.ToApply(Env((NativeHeap.Switch, "1")), linux: true).Select(s => (s.Name, s.Value)).ToList();
        Assert.Equal([("M_MMAP_THRESHOLD", 262144), ("M_TRIM_THRESHOLD", 262144), ("M_ARENA_MAX", 2)], applied);
    }

    [Fact]
    public void A_setting_the_user_gave_glibc_is_left_alone()
    {
        var applied = NativeHeap.ToApply(Env((NativeHeap.Switch, "1"), ("MALLOC_ARENA_MAX", "4")), linux: true).Select(s => s.Name).ToList();
        Assert.Equal(["M_MMAP_THRESHOLD", "M_TRIM_THRESHOLD"], applied);
    }

    [Fact]
    public void Nothing_is_applied_by_default_nor_off_Linux()
    {
        Assert.Empty(NativeHeap.ToApply(Env(), linux: true));
        Assert.Empty(NativeHeap.ToApply(Env((NativeHeap.Switch, "0")), linux: true));
        Assert.Empty(NativeHeap.ToApply(Env((NativeHeap.Switch, "1")), linux: false));
    }

    [Fact]
    public void Loading_torch_applies_them_only_when_asked()
    {
        TorchRuntime.Initialize("cpu", 1);
        if (Environment.GetEnvironmentVariable(NativeHeap.Switch) == "1" && OperatingSystem.IsLinux())
            Assert.Contains(NativeHeap.Applied, a => a.StartsWith("M_MMAP_THRESHOLD=", StringComparison.Ordinal)
                || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null);
        else
            Assert.Empty(NativeHeap.Applied);
    }
}
