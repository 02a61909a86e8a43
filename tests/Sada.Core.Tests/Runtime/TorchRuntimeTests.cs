using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void Backend_loads_on_cpu()
    {
        var status = TorchRuntime.Initialize("auto", 1);
        Assert.True(status.Loaded, status.Error);
        Assert.Equal("cpu", status.Device);
        Assert.Equal(1, status.Threads);
        Assert.NotNull(status.NativeLibrary);
    }

    [Fact]
    public void Resnet18_forward_and_backward_step_runs_and_moves_the_weights()
    {
        Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var model = torchvision.models.resnet18(num_classes: 5);
        var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3);
        var x = torch.rand(4, 3, 64, 64);
        var y = torch.tensor(new long[] { 0, 1, 2, 3 });
        var before = model.parameters().First().clone();

        var loss = torch.nn.functional.cross_entropy(model.call(x), y);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.NotNull(model.parameters().First().grad);
        Assert.False(before.allclose(model.parameters().First()));
    }

    [Theory]
    [InlineData("auto", false, "cpu")]
    [InlineData("AUTO", true, "cuda")]
    [InlineData("cpu", true, "cpu")]
    [InlineData("cuda:1", true, "cuda:1")]
    public void Device_choice(string requested, bool cuda, string expected) =>
        Assert.Equal(expected, TorchRuntime.ChooseDevice(requested, cuda));

    [Fact]
    public void Cuda_without_cuda_says_what_to_do()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TorchRuntime.ChooseDevice("cuda", false));
        Assert.Contains("TorchBackend=cuda", e.Message);
    }
}
