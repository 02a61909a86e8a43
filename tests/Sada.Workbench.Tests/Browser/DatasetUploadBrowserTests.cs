using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>An admin uploads a zip with bad files on the datasets page: the good ones import, the refused ones are listed.</summary>
public sealed class DatasetUploadBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    /// <summary>Two good cells and five bad entries, each with the name it is listed under.</summary>
    byte[] BadZip()
    {
        var cells = Directory.EnumerateFiles(Path.Combine(Workbench.Factory.DataDirectory, "images"), "*.png", SearchOption.AllDirectories)
            .Order().Take(2).Select(File.ReadAllBytes).ToList();
        var cell = cells[0];
        var entries = new (string Name, byte[] Bytes)[]
        {
            ("clinic-x/neutrophil/good-1.png", cell),
            ("clinic-x/Lymphocytes/good-2.png", cells[1]),
            ("clinic-x/neutrophil/corrupt.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5, 6, 7, 8]),
            ("clinic-x/neutrophil/empty.png", []),
            ("clinic-x/neutrophil/notes.txt", "not a cell"u8.ToArray()),
            ("clinic-x/stray.png", cell),
            ("../escape.png", cell),
        };
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        return buffer.ToArray();
    }

    [Fact]
    public async Task An_admin_uploads_a_zip_with_bad_files_and_sees_each_refused_file_listed_while_the_good_ones_import()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Admin, "/datasets");
        var panel = page.GetByTestId("import-panel");
        // MudTextField puts extra attributes on its input.
        await panel.Locator("input[data-testid=import-name], [data-testid=import-name] input").FillAsync("uploaded-cells");
        await Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Choose a zip" })).ToBeEnabledAsync();

        await panel.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "cells.zip", MimeType = "application/zip", Buffer = BadZip() });

        var summary = page.GetByTestId("import-summary");
        await Expect(summary).ToContainTextAsync("1 of 1 center(s) imported", new() { Timeout = 60_000 });
        await Expect(summary).ToContainTextAsync("2 images");
        var refused = page.GetByTestId("import-refused").Locator("tbody tr");
        foreach (var name in new[] { "corrupt.png", "empty.png", "notes.txt", "stray.png", "escape.png" })
            await Expect(refused.Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { NameRegex = new Regex(Regex.Escape(name) + "$") }) }))
                .ToHaveCountAsync(1);
        await Expect(refused).ToHaveCountAsync(5);
        // Every refusal says why.
        foreach (var reason in await refused.Locator("td:nth-child(2)").AllInnerTextsAsync())
            Assert.False(string.IsNullOrWhiteSpace(reason));
        await Screenshots.TakeAsync(page, "datasets-upload");

        // The listing has the new dataset.
        await Expect(page.GetByTestId("datasets")).ToContainTextAsync("uploaded-cells");
    }
}
