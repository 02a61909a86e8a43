using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

/// <summary>The runs table's query (RunCatalog.PageAsync): search, each filter, sorts with missing values last, paging; and RunAnnotations.</summary>
public class RunCatalogQueryTests : IDisposable
{
    readonly TempDatabase _db;
    readonly RunCatalog _catalog;
    readonly RunAnnotations _annotations;
    readonly Dictionary<string, int> _ids = [];
    int _studyId;

    public RunCatalogQueryTests() : this(TempDatabase.Sqlite) { }

    protected RunCatalogQueryTests(string provider)
    {
        _db = new TempDatabase(provider);
        var factory = new DbFactory(_db);
        _catalog = new RunCatalog(factory, new RunQueue(factory, TimeProvider.System));
        _annotations = new RunAnnotations(factory);
        var cells = factory.AddDataset("cells", "a", "b");
        var other = factory.AddDataset("other", "x");
        using var db = _db.Open();
        var study = new Study { Name = "s", DatasetId = cells, GridJson = "{}", CreatedAt = DateTime.UtcNow };
        db.Studies.Add(study);
        db.SaveChanges();
        _studyId = study.Id;
        var t0 = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        // name, dataset, held out, algorithm, status, F1-micro, F1-macro, config, tags, notes
        Add(db, "alpha", cells, "a", "sada", RunStatus.Completed, 0.9, 0.7, """{"algorithm":"sada","k":5}""", ["baseline", "k5"], "Tried K=5 on the Zheng split", t0, study.Id);
        Add(db, "beta", cells, "b", "erm", RunStatus.Completed, 0.6, 0.8, """{"algorithm":"erm"}""", ["baseline"], null, t0.AddMinutes(1), null);
        Add(db, null, cells, "a", "sada", RunStatus.Queued, null, null, """{"algorithm":"sada","laWeight":0}""", [], null, t0.AddMinutes(2), study.Id);
        Add(db, "gamma ray", other, "x", "coral", RunStatus.Failed, 0.75, null, """{"algorithm":"coral"}""", ["odd"], "NaN loss", t0.AddMinutes(3), null);
        db.SaveChanges();
    }

    void Add(SadaDbContext db, string? name, int dataset, string heldOut, string algorithm, RunStatus status, double? f1, double? f1Macro,
        string config, string[] tags, string? notes, DateTime created, int? study)
    {
        var run = new Run
        {
            Name = name, DatasetId = dataset, HoldoutCenter = heldOut, Algorithm = algorithm, Status = status, ConfigJson = config,
            SelectedAccuracy = f1, SelectedF1Macro = f1Macro, SelectedStep = f1 is null ? null : 10, Notes = notes, CreatedAt = created, StudyId = study,
            Tags = tags.Select(t => new RunTag { Name = t }).ToList(),
        };
        db.Runs.Add(run);
        db.SaveChanges();
        _ids[name ?? "unnamed"] = run.Id;
    }

    public void Dispose() => _db.Dispose();

    async Task<List<string>> Names(RunFilter filter) =>
        (await _catalog.PageAsync(filter)).Items.Select(r => r.Name ?? "unnamed").ToList();

    [DbFact]
    public async Task Newest_first_by_default_with_names_tags_and_the_selected_scores()
    {
        var page = await _catalog.PageAsync(new RunFilter());
        Assert.Equal(4, page.Total);
        Assert.Equal(["gamma ray", "unnamed", "beta", "alpha"], page.Items.Select(r => r.Name ?? "unnamed"));
        var alpha = page.Items.Single(r => r.Name == "alpha");
        Assert.Equal(["baseline", "k5"], alpha.Tags);
        Assert.Equal((0.9, 0.7, 10), (alpha.SelectedAccuracy!.Value, alpha.SelectedF1Macro!.Value, alpha.SelectedStep!.Value));
    }

    [DbFact]
    public async Task Search_matches_name_notes_tags_and_config_case_insensitively()
    {
        Assert.Equal(["gamma ray"], await Names(new RunFilter { Query = "GAMMA" }));
        Assert.Equal(["alpha"], await Names(new RunFilter { Query = "ZHENG" }));
        Assert.Equal(["alpha"], await Names(new RunFilter { Query = "k5" }));
        Assert.Equal(["unnamed"], await Names(new RunFilter { Query = "\"laWeight\":0" }));
        Assert.Equal(["beta", "alpha"], await Names(new RunFilter { Query = "basel" }));
        Assert.Empty(await Names(new RunFilter { Query = "nothing-like-this" }));
    }

    [DbFact]
    public async Task Each_filter_narrows_the_runs()
    {
        Assert.Equal(["beta", "alpha"], await Names(new RunFilter { Tag = " Baseline " }));
        Assert.Equal(["unnamed", "alpha"], await Names(new RunFilter { Algorithm = "sada" }));
        Assert.Equal(["unnamed", "alpha"], await Names(new RunFilter { HeldOut = "a" }));
        Assert.Equal(["gamma ray"], await Names(new RunFilter(Dataset: "other")));
        Assert.Equal(["unnamed"], await Names(new RunFilter(RunStatus.Queued)));
        Assert.Equal(["unnamed", "alpha"], await Names(new RunFilter(StudyId: _studyId)));
        Assert.Equal(["alpha"], await Names(new RunFilter(StudyId: _studyId) { Tag = "k5", Query = "zheng", Algorithm = "sada", HeldOut = "a" }));
        await Assert.ThrowsAsync<RunRequestException>(() => _catalog.PageAsync(new RunFilter(Dataset: "nope")));
    }

    [DbFact]
    public async Task Sorting_by_F1_puts_runs_without_a_selected_evaluation_last_in_both_directions()
    {
        Assert.Equal(["alpha", "gamma ray", "beta", "unnamed"], await Names(new RunFilter { Sort = new RunSort(RunSortField.F1Micro, true) }));
        Assert.Equal(["beta", "gamma ray", "alpha", "unnamed"], await Names(new RunFilter { Sort = new RunSort(RunSortField.F1Micro, false) }));
        Assert.Equal(["beta", "alpha", "gamma ray", "unnamed"], await Names(new RunFilter { Sort = new RunSort(RunSortField.F1Macro, true) }));
        Assert.Equal(["alpha", "beta", "gamma ray", "unnamed"], await Names(new RunFilter { Sort = new RunSort(RunSortField.F1Macro, false) }));
        Assert.Equal(["alpha", "beta", "gamma ray", "unnamed"], await Names(new RunFilter { Sort = new RunSort(RunSortField.Name, false) }));
        Assert.Equal(["alpha", "beta", "unnamed", "gamma ray"], await Names(new RunFilter { Sort = new RunSort(RunSortField.Created, false) }));
        Assert.Equal(["gamma ray", "beta"], (await Names(new RunFilter { Sort = new RunSort(RunSortField.Algorithm, false) }))[..2]);
    }

    [DbFact]
    public async Task Paging_keeps_the_total_of_the_whole_filter()
    {
        var first = await _catalog.PageAsync(new RunFilter(Limit: 3));
        var second = await _catalog.PageAsync(new RunFilter(Limit: 3) { Offset = 3 });
        Assert.Equal((4, 3, 4, 1), (first.Total, first.Items.Count, second.Total, second.Items.Count));
        Assert.Empty(first.Items.Select(r => r.Id).Intersect(second.Items.Select(r => r.Id)));
        Assert.Equal(2, (await _catalog.PageAsync(new RunFilter(Limit: 1) { Tag = "baseline" })).Total);
        Assert.Equal(_ids.Values.Max(), await _catalog.LatestIdAsync());
    }

    [Theory]
    [InlineData("-f1Micro", RunSortField.F1Micro, true)]
    [InlineData("F1MACRO", RunSortField.F1Macro, false)]
    [InlineData("", RunSortField.Created, true)]
    [InlineData("heldOut", RunSortField.HeldOut, false)]
    public void Sorts_parse_by_name_with_a_leading_minus_for_descending(string text, RunSortField field, bool descending)
    {
        Assert.True(RunSort.TryParse(text, out var sort));
        Assert.Equal(new RunSort(field, descending), sort);
    }

    [Fact]
    public void An_unknown_sort_does_not_parse() => Assert.False(RunSort.TryParse("accuracy", out _));

    [DbFact]
    public async Task Annotations_are_trimmed_tags_lowered_and_replaced_and_an_empty_text_clears()
    {
        int id = _ids["beta"];
        var saved = await _annotations.UpdateAsync(id, new RunAnnotationChange(" Beta 2 ", ["Ablation", "baseline", "ablation"], " first try "));
        Assert.Equal(new[] { "ablation", "baseline" }, saved!.Tags);
        Assert.Equal(("Beta 2", "first try"), (saved.Name, saved.Notes));
        // Only the tags change; the name and notes stay.
        saved = await _annotations.UpdateAsync(id, new RunAnnotationChange(Tags: ["k5"]));
        Assert.Equal(("Beta 2", "first try"), (saved!.Name, saved.Notes));
        Assert.Equal(["k5"], saved.Tags);
        saved = await _annotations.UpdateAsync(id, new RunAnnotationChange("", [], ""));
        Assert.Equal((null, null, 0), (saved!.Name, saved.Notes, saved.Tags.Count));
        Assert.Equal(["alpha"], await Names(new RunFilter { Tag = "k5" }));
        Assert.Null(await _annotations.UpdateAsync(987654, new RunAnnotationChange("x")));
    }

    [DbFact]
    public async Task Invalid_annotations_name_the_field_and_write_nothing()
    {
        int id = _ids["alpha"];
        var e = await Assert.ThrowsAsync<RunRequestException>(() => _annotations.UpdateAsync(id,
            new RunAnnotationChange(new string('n', RunTextLimits.Name + 1), ["ok", " ", "has space", "semi;colon", new string('t', RunTextLimits.Tag + 1)],
                new string('x', RunTextLimits.Notes + 1))));
        Assert.Equal(["name", "notes", "tags"], e.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, e.Errors["tags"].Length);
        Assert.Contains(e.Errors["tags"], m => m.Contains("';'", StringComparison.Ordinal));
        var tooMany = await Assert.ThrowsAsync<RunRequestException>(() => _annotations.UpdateAsync(id,
            new RunAnnotationChange(Tags: Enumerable.Range(0, RunTextLimits.TagsPerRun + 1).Select(i => $"t{i}").ToList())));
        Assert.Contains($"at most {RunTextLimits.TagsPerRun}", Assert.Single(tooMany.Errors["tags"]), StringComparison.Ordinal);
        var stored = await _annotations.GetAsync(id);
        Assert.Equal("alpha", stored!.Name);
        Assert.Equal(["baseline", "k5"], stored.Tags);
    }
}

public sealed class RunCatalogQueryTestsOnPostgres() : RunCatalogQueryTests(TempDatabase.Postgres), IOnPostgres;
