using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Tests.Imaging;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Datasets;
using Sada.Workbench.Datasets;
using Sada.Workbench.Tests.Components;

namespace Sada.Workbench.Tests.Datasets;

/// <summary>The browser's ways in (upload, server folder) against bombs, links out of the root, and failures: a message, never a stuck page.</summary>
public class HostileImportAdminTests(DatasetFixture fixture) : IClassFixture<DatasetFixture>
{
    DatasetAdmin Admin => fixture.Services.GetRequiredService<DatasetAdmin>();
    static readonly System.Security.Claims.ClaimsPrincipal AnAdmin = DatasetFixture.User(WorkbenchRoles.Admin);

    int StoredFiles() => fixture.Services.GetRequiredService<ImageStore>().EnumerateFiles().Count();

    [Fact]
    public async Task An_uploaded_zip_of_bombs_is_refused_file_by_file_and_leaves_no_dataset_or_file()
    {
        int before = StoredFiles();
        var zip = DatasetFixture.Zip(
            ("b1/neutrophil/bomb.png", HostileImages.LyingPng(50_000, 50_000)),
            ("b1/neutrophil/liar.tif", HostileImages.WithTiffTag(HostileImages.WithTiffTag(HostileImages.Tiff(), BitMiracle.LibTiff.Classic.TiffTag.IMAGEWIDTH, 60_000),
                BitMiracle.LibTiff.Classic.TiffTag.IMAGELENGTH, 60_000)));

        var outcome = await Admin.ImportUploadAsync(AnAdmin, new MemoryStream(zip), new ImportTarget("upload-bombs"));

        Assert.Null(outcome.Error);
        var report = outcome.Report!;
        Assert.False(report.Succeeded);
        Assert.Null(report.DatasetId);
        Assert.Equal("image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit",
            report.Refused.Single(r => r.Path == "b1/neutrophil/bomb.png").Reason);
        Assert.StartsWith("image too large: 60000x60000 px", report.Refused.Single(r => r.Path == "b1/neutrophil/liar.tif").Reason);
        using var db = fixture.Db();
        Assert.DoesNotContain(db.Datasets, d => d.Name == "upload-bombs");
        Assert.Equal(before, StoredFiles());
        Assert.Empty(fixture.TempFiles());
    }

    [Fact]
    public async Task A_server_folder_import_refuses_a_link_inside_it_that_leads_out_of_the_root()
    {
        if (OperatingSystem.IsWindows()) return;
        var inside = Path.Combine(fixture.Root, "linked-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(inside, "monocyte"));
        File.WriteAllBytes(Path.Combine(inside, "monocyte", "m.png"), fixture.Png(9));
        var secret = Path.Combine(fixture.Outside, "secret-" + Guid.NewGuid().ToString("N")[..6] + ".png");
        File.WriteAllBytes(secret, fixture.Png(10));
        var link = Path.Combine(inside, "monocyte", "leak.png");
        File.CreateSymbolicLink(link, secret);
        var zero = Path.Combine(inside, "monocyte", "zero.png");
        File.CreateSymbolicLink(zero, "/dev/zero");

        var outcome = await Admin.ImportFolderAsync(AnAdmin, inside, new ImportTarget("tiny", Path.GetFileName(inside)));

        Assert.Null(outcome.Error);
        Assert.Equal(1, outcome.Report!.ImageCount);
        Assert.Equal($"symbolic link leaves the allowed import roots: '{link}' resolves to '{secret}', outside '{fixture.Root}'",
            outcome.Report.Refused.Single(r => r.Path == link).Reason);
        Assert.StartsWith($"symbolic link leaves the allowed import roots: '{zero}' resolves to '/dev/zero'", outcome.Report.Refused.Single(r => r.Path == zero).Reason);
    }

    [Fact]
    public async Task A_stored_cell_the_decoder_refuses_gets_409_naming_the_cell_not_500()
    {
        using var db = fixture.Db();
        var cell = db.CellImages.OrderBy(i => i.Id).Last(i => i.Center!.Dataset!.Name == "tiny");
        var stored = db.StoredFiles.Single(s => s.Hash == cell.Hash);
        // Damaged on disk after the import: its header now declares 50000 x 50000.
        File.WriteAllBytes(fixture.Services.GetRequiredService<ImageStore>().PathFor(stored.Hash, stored.Extension), HostileImages.LyingPng(50_000, 50_000));
        using var client = fixture.Client(WorkbenchRoles.Reviewer);

        var response = await client.GetAsync($"/api/datasets/tiny/cells/{cell.Id}.png");

        Assert.Equal(System.Net.HttpStatusCode.Conflict, response.StatusCode);
        var detail = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Equal($"cell #{cell.Id} ({cell.Hash}{stored.Extension}): image too large: 50000x50000 px (2,500,000,000 pixels), above the 40,000,000-pixel limit", detail);
    }

    [Fact]
    public async Task When_the_import_fails_outright_the_panel_shows_the_reason_and_is_usable_again()
    {
        await using var ctx = PageContext.Create();
        // Services missing: the import throws where it starts (the policy check), the worst case for the page.
        ctx.Services.AddSingleton(new DatasetAdmin(null!, null!, new DatasetImportOptions(), null!,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DatasetAdmin>.Instance));
        ctx.SignInAs(WorkbenchRoles.Admin);
        var panel = ctx.Render<ImportPanel>();
        var name = panel.Find("[data-testid=import-name]");
        (name.TagName == "INPUT" ? name : name.QuerySelector("input")!).Input("doomed");

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(DatasetFixture.Zip(("a/neutrophil/1.png", fixture.Png(1))), "cells.zip"));

        panel.WaitForAssertion(() => Assert.StartsWith("the import failed: ", panel.Find("[data-testid=import-error]").TextContent.Trim()));
        Assert.Empty(panel.FindAll(".mud-progress-linear-indeterminate"));
        Assert.DoesNotContain(panel.FindAll("button"), b => b.TextContent.Contains("Choose a zip") && b.HasAttribute("disabled"));
    }
}
