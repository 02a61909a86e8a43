using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Datasets;
using Sada.Workbench.Datasets;
using Sada.Workbench.Tests.Datasets;
using DatasetsPage = Sada.Workbench.Components.Pages.Datasets;

namespace Sada.Workbench.Tests.Components;

/// <summary>The datasets listing and its import panel, rendered by bUnit on the real services of <see cref="DatasetFixture"/>.</summary>
public class DatasetsPageTests : IClassFixture<DatasetFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly BunitAuthorizationContext _auth;
    readonly DatasetFixture _fixture;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    public DatasetsPageTests(DatasetFixture fixture)
    {
        _fixture = fixture;
        fixture.AddPageServices(_ctx);
        _auth = _ctx.AddAuthorization();
    }

    /// <summary>Signs the page's user in with a role; the policies are those the role's real policy grants.</summary>
    void SignIn(string role)
    {
        _auth.SetAuthorized($"a {role.ToLowerInvariant()}");
        _auth.BecomeRole(role);
    }

    /// <summary>The input of a MudTextField marked with a test id (MudBlazor puts the attribute on the input itself).</summary>
    static AngleSharp.Dom.IElement TextField(IRenderedComponent<DatasetsPage> page, string testId)
    {
        var marked = page.Find($"[data-testid={testId}]");
        return marked.TagName == "INPUT" ? marked : marked.QuerySelector("input")!;
    }

    [Fact]
    public void A_reviewer_sees_the_datasets_with_their_class_counts_but_no_register_controls()
    {
        SignIn(WorkbenchRoles.Reviewer);

        var page = _ctx.Render<DatasetsPage>();

        page.WaitForAssertion(() => Assert.Contains("tiny", page.Find("[data-testid=datasets]").TextContent));
        var link = page.Find($"a[href='datasets/{_fixture.DatasetId}']");
        Assert.Equal("tiny", link.TextContent.Trim());
        Assert.Contains("center-a, center-b, center-c", page.Markup);
        Assert.Matches(@"neutrophil \d+, lymphocyte \d+", page.Find("[data-testid=datasets]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=import-panel]"));
        Assert.Empty(page.FindComponents<ImportPanel>());
    }

    [Fact]
    public void An_admin_gets_the_register_controls_with_the_upload_limit_and_the_allowed_roots()
    {
        SignIn(WorkbenchRoles.Admin);

        var page = _ctx.Render<DatasetsPage>();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-panel]")));
        Assert.Equal("At most 976.6 KiB.", page.Find("[data-testid=upload-limit]").TextContent.Trim());
        Assert.Contains($"Inside {_fixture.Root}.", page.Markup);
        Assert.Single(page.FindComponents<InputFile>());
    }

    [Fact]
    public void An_uploaded_zip_shows_the_report_with_every_refused_file_and_its_reason()
    {
        SignIn(WorkbenchRoles.Admin);
        var page = _ctx.Render<DatasetsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-name]")));
        TextField(page, "import-name").Input("from-browser");
        var zip = DatasetFixture.Zip(
            ("h1/neutrophil/1.png", _fixture.Png(6)),
            ("h1/neutrophil/notes.txt", "a note"u8.ToArray()),
            ("h1/basophil/corrupt.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]),
            ("stray.png", _fixture.Png(7)));

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(zip, "cells.zip"));

        page.WaitForAssertion(() => Assert.Contains("1 of 1 center(s) imported", page.Find("[data-testid=import-summary]").TextContent), TimeSpan.FromSeconds(20));
        var refused = page.FindAll("[data-testid=import-refused] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(3, refused.Count);
        Assert.Contains(refused, r => r.Contains("h1/neutrophil/notes.txt"));
        Assert.Contains(refused, r => r.Contains("h1/basophil/corrupt.png"));
        Assert.Contains(refused, r => r.Contains("stray.png"));
        Assert.Contains("neutrophil 1", page.Find("[data-testid=import-centers]").TextContent);
        Assert.Equal("100", page.Find("[data-testid=upload-progress]").GetAttribute("aria-valuenow"));
        // The listing reloads with the new dataset.
        page.WaitForAssertion(() => Assert.Contains("from-browser", page.Find("[data-testid=datasets]").TextContent));
        Assert.Empty(_fixture.TempFiles());
    }

    [Fact]
    public void A_server_folder_escaping_the_root_through_a_symlink_is_refused_on_the_page()
    {
        SignIn(WorkbenchRoles.Admin);
        var link = Path.Combine(_fixture.Root, "link-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateSymbolicLink(link, _fixture.Outside);
        var page = _ctx.Render<DatasetsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=import-folder]")));
        TextField(page, "import-name").Input("via-link");
        TextField(page, "import-folder").Input(link);

        page.Find("[data-testid=import-folder-go]").Click();

        page.WaitForAssertion(() => Assert.Equal(
            $"the folder '{link}' (resolved: '{_fixture.Outside}') is outside the allowed import roots: '{_fixture.Root}'",
            page.Find("[data-testid=import-error]").TextContent.Trim()));
    }

    [Fact]
    public async Task Without_roots_the_panel_says_server_folders_are_off()
    {
        await using var ctx = PageContext.Create();
        ctx.Services.AddSingleton(new DatasetAdmin(null!, null!, new DatasetImportOptions(), null!,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DatasetAdmin>.Instance));
        ctx.SignInAs(WorkbenchRoles.Admin);

        var panel = ctx.Render<ImportPanel>();

        Assert.Contains("Importing from a server folder is off", panel.Find("[data-testid=folder-off]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=import-folder]"));
        Assert.Equal("At most 2 GiB.", panel.Find("[data-testid=upload-limit]").TextContent.Trim());
    }
}
