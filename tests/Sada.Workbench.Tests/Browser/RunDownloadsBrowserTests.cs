using System.Text.Json;
using Onnx;
using Sada.Core.Models.Export;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>The run page's Downloads menu in chromium: the ONNX model of a finished run arrives as a file that parses as ONNX.</summary>
public sealed class RunDownloadsBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    [Fact]
    public async Task The_onnx_model_of_a_finished_run_downloads_from_the_run_page_and_parses()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        int run = await TinyRuns.QueueAsync(Session, TinyRuns.Sada);
        await Session.GotoAsync($"/runs/{run}");
        await Expect(new RunPage(page).Status).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });

        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Downloads" }).ClickAsync();
        var item = page.GetByTestId("download-onnx-best");
        await Expect(item).ToHaveAttributeAsync("aria-disabled", "false");
        var download = await page.RunAndWaitForDownloadAsync(() => item.ClickAsync());

        Assert.Equal($"run-{run}-best.onnx", download.SuggestedFilename);
        Assert.Null(await download.FailureAsync());
        var path = Path.Combine(Path.GetTempPath(), $"sada-download-{Guid.NewGuid():N}.onnx");
        try
        {
            await download.SaveAsAsync(path);
            var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(path));
            var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
            Assert.Equal(run.ToString(System.Globalization.CultureInfo.InvariantCulture), props["run"]);
            Assert.NotEmpty(JsonSerializer.Deserialize<string[]>(props[OnnxExport.ClassesKey])!);
            Assert.Equal(OnnxExport.InputName, model.Graph.Input.Single().Name);
            Assert.Equal("Softmax", model.Graph.Node[^1].OpType);
        }
        finally
        {
            File.Delete(path);
        }
        // The page is still the run's (a download, not a navigation).
        Assert.EndsWith($"/runs/{run}", page.Url, StringComparison.Ordinal);
    }
}
