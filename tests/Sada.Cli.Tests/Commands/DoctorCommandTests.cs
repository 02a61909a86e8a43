namespace Sada.Cli.Tests.Commands;

public class DoctorCommandTests
{
    [Fact]
    public void Doctor_exits_zero_and_reports_cpu()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = SadaCli.Run(["doctor"], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Matches(@"device:\s+cpu", text);
        Assert.Matches(@"backend loaded:\s+yes", text);
        Assert.Matches(@"torchsharp:\s+0\.107\.0", text);
        Assert.Contains("libLibTorchSharp.so", text);
        Assert.Contains("database:", text);
        Assert.Matches(@"imagenet:\s+found, .*ResNet18\.onnx", text);
    }

    [Fact]
    public void Unknown_command_fails_with_a_message()
    {
        var error = new StringWriter();
        var code = SadaCli.Run(["frobnicate"], new StringWriter(), error);
        Assert.NotEqual(0, code);
        Assert.Contains("frobnicate", error.ToString());
    }
}
