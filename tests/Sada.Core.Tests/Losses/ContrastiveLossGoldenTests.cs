using Sada.Core.Losses;
using Sada.Core.Tests.Golden;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

/// <summary>
/// The contrastive losses against the authors' modules. The golden z is the raw projector output (the reference
/// normalises inside), so grad_z is the gradient through the normalisation too.
/// </summary>
public class ContrastiveLossGoldenTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-5;

    [Fact]
    public void SupCon_loss_and_gradient_match_golden()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("supcon.json");
        var z = g.Tensor("z").requires_grad_(true);
        var loss = SupConLoss.Compute(z, g.Tensor("y").to(int64), g.Param("temperature"));
        loss.backward();
        Report(g, loss, z.grad!);
    }

    [Fact]
    public void Proxy_contrast_loss_and_gradient_match_golden()
    {
        using var scope = NewDisposeScope();
        var g = GoldenCase.Load("proxy_contrast.json");
        var z = g.Tensor("z").requires_grad_(true);
        var loss = ProxyContrastiveLoss.Compute(z, g.Tensor("y").to(int64), (int)g.Param("k"), g.Param("temperature"));
        loss.backward();
        Report(g, loss, z.grad!);
    }

    void Report(GoldenCase g, Tensor loss, Tensor grad)
    {
        var lossErr = GoldenCase.RelativeError(loss.reshape(1), g.Tensor("loss"));
        var gradErr = GoldenCase.RelativeError(grad, g.Tensor("grad_z"));
        output.WriteLine($"{g.Name}: loss relative error {lossErr:E3}, grad_z relative error {gradErr:E3}");
        Assert.True(lossErr <= Tolerance, $"{g.Name} loss: relative error {lossErr:E3}");
        Assert.True(gradErr <= Tolerance, $"{g.Name} grad_z: relative error {gradErr:E3}");
    }

    [Fact]
    public void Proxy_contrast_rejects_rows_that_are_not_whole_cells()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ProxyContrastiveLoss.Compute(randn(7, 4), zeros(7, dtype: int64), 3, 0.1));
    }
}
