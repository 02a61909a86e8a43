using Microsoft.Extensions.DependencyInjection;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Datasets;

/// <summary>The dataset writes on the workbench's real services: upload, server folder, delete, and their refusals.</summary>
public class DatasetAdminTests(DatasetFixture fixture) : IClassFixture<DatasetFixture>
{
    DatasetAdmin Admin => fixture.Services.GetRequiredService<DatasetAdmin>();
    static readonly System.Security.Claims.ClaimsPrincipal AnAdmin = DatasetFixture.User(WorkbenchRoles.Admin);

    int StoredFiles() => fixture.Services.GetRequiredService<ImageStore>().EnumerateFiles().Count();

    [Fact]
    public async Task An_uploaded_zip_imports_reports_every_refused_file_and_leaves_no_temporary_file()
    {
        var zip = DatasetFixture.Zip(
            ("upload-a/neutrophil/1.png", fixture.Png(0)),
            ("upload-a/Lymphocytes/2.png", fixture.Png(1)),
            ("upload-a/neutrophil/broken.png", [1, 2, 3, 4]),
            ("upload-a/neutrophil/empty.png", []),
            ("../escape.png", fixture.Png(2)));
        var received = new List<long>();

        var outcome = await Admin.ImportUploadAsync(AnAdmin, new MemoryStream(zip), new ImportTarget("uploaded"),
            new SyncProgress<long>(received.Add));

        Assert.Null(outcome.Error);
        var report = outcome.Report!;
        Assert.True(report.Succeeded);
        var center = Assert.Single(report.Centers);
        Assert.Equal(("upload-a", 2), (center.Name, center.ImageCount));
        Assert.Equal(1, center.ClassCounts["lymphocyte"]);
        Assert.Equal(["../escape.png", "upload-a/neutrophil/broken.png", "upload-a/neutrophil/empty.png"], report.Refused.Select(r => r.Path).Order());
        Assert.All(report.Refused, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        Assert.Equal(zip.Length, received.Last());
        Assert.Empty(fixture.TempFiles());
    }

    [Fact]
    public async Task A_file_that_is_no_zip_is_refused_with_a_message_and_writes_nothing()
    {
        int before = StoredFiles();

        var outcome = await Admin.ImportUploadAsync(AnAdmin, new MemoryStream("not a zip at all"u8.ToArray()), new ImportTarget("not-a-zip"));

        Assert.StartsWith("not a readable zip file", outcome.Error);
        Assert.Null(outcome.Report);
        using var db = fixture.Db();
        Assert.DoesNotContain(db.Datasets, d => d.Name == "not-a-zip");
        Assert.Equal(before, StoredFiles());
        Assert.Empty(fixture.TempFiles());
    }

    [Fact]
    public async Task An_upload_over_the_limit_stops_and_its_partial_file_is_deleted()
    {
        var outcome = await Admin.ImportUploadAsync(AnAdmin, new MemoryStream(new byte[DatasetFixture.UploadLimit + 1]), new ImportTarget("too-big"));

        Assert.Equal("the upload is larger than the 976.6 KiB limit", outcome.Error);
        Assert.Empty(fixture.TempFiles());
    }

    [Theory]
    [InlineData(WorkbenchRoles.Researcher)]
    [InlineData(WorkbenchRoles.Reviewer)]
    public async Task Only_admins_may_import_or_delete_whatever_the_page_shows(string role)
    {
        var user = DatasetFixture.User(role);
        var zip = DatasetFixture.Zip(("x/neutrophil/1.png", fixture.Png(3)));

        var upload = await Admin.ImportUploadAsync(user, new MemoryStream(zip), new ImportTarget($"by-{role}"));
        var folder = await Admin.ImportFolderAsync(user, fixture.Root, new ImportTarget($"by-{role}"));
        var delete = await Admin.DeleteAsync(user, "tiny");

        var refusal = WorkbenchPolicies.Refusal(WorkbenchPolicies.ManageData);
        Assert.All(new[] { upload.Error, folder.Error, delete.Error }, error => Assert.Equal(refusal, error));
        using var db = fixture.Db();
        Assert.DoesNotContain(db.Datasets, d => d.Name == $"by-{role}");
        Assert.Contains(db.Datasets, d => d.Name == "tiny");
    }

    [Fact]
    public async Task A_server_folder_inside_the_root_imports_one_new_center_and_one_outside_is_refused()
    {
        var inside = Path.Combine(fixture.Root, "center-z");
        Directory.CreateDirectory(Path.Combine(inside, "monocyte"));
        File.WriteAllBytes(Path.Combine(inside, "monocyte", "m.png"), fixture.Png(4));
        Directory.CreateDirectory(Path.Combine(fixture.Outside, "center-y", "monocyte"));
        File.WriteAllBytes(Path.Combine(fixture.Outside, "center-y", "monocyte", "m.png"), fixture.Png(5));
        var escape = Path.Combine(fixture.Root, "..", "outside", "center-y");

        var refused = await Admin.ImportFolderAsync(AnAdmin, escape, new ImportTarget("folder-set", "center-y"));
        var imported = await Admin.ImportFolderAsync(AnAdmin, inside, new ImportTarget("folder-set", "center-z"));

        Assert.Equal($"the folder '{escape}' is outside the allowed import roots: '{fixture.Root}'", refused.Error);
        Assert.Null(imported.Error);
        Assert.Equal(("center-z", 1), (imported.Report!.Centers.Single().Name, imported.Report.ImageCount));
    }

    /// <summary>Reports at once on the caller's thread (Progress&lt;T&gt; would post them later).</summary>
    sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
