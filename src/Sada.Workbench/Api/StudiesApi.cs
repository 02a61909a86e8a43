using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Api;

/// <summary>/api/studies: create a grid of runs in one request, read it back with its paper-style table, export the table.</summary>
public static class StudiesApi
{
    public sealed record VariantBody(string? Name, JsonElement? Config);

    /// <summary>
    /// POST /api/studies. <see cref="Variants"/>: [{name, config}] with partial configs; or <see cref="Preset"/> "full-ablation"
    /// (SADA, w/o SBA, w/o LA, w/o DISC, single-stage, ERM) or "table-1" (ERM, CORAL, Mixup, SelfReg, BoDA, SADA, the paper's
    /// Table I in its row order), with <see cref="Config"/> as the partial base config.
    /// <see cref="HeldOut"/>: a list of centers or "all" (the default); <see cref="Seeds"/>: a list or a count n (0..n-1; default 3).
    /// </summary>
    public sealed record CreateStudyBody(string? Name, JsonElement? Dataset, IReadOnlyList<VariantBody>? Variants, string? Preset,
        JsonElement? Config, JsonElement? HeldOut, JsonElement? Seeds);

    public sealed record TableDto(string Definition, string Title, IReadOnlyList<string> Columns, IReadOnlyList<int> Seeds, IReadOnlyList<TableRow> Rows);

    public sealed record StudyDto(int Id, string Name, int DatasetId, string Dataset, DateTime CreatedAt, StudyGrid Grid,
        IReadOnlyList<RunSummary> Runs, TableDto Table);

    public const string FullAblationPreset = StudyPresets.FullAblation;
    public const string TableOnePreset = StudyPresets.TableOne;

    public static IEndpointRouteBuilder MapStudiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/studies").WithTags("Studies").RequireAuthorization(WorkbenchPolicies.Read);
        api.MapGet("/", List);
        api.MapPost("/", Create).RequireAuthorization(WorkbenchPolicies.Train);
        api.MapGet("/{id:int}", Get);
        api.MapGet("/{id:int}/table.csv", Csv);
        api.MapGet("/{id:int}/table.tex", Latex);
        return app;
    }

    static async Task<Ok<IReadOnlyList<StudySummary>>> List(StudyService studies, CancellationToken ct) => TypedResults.Ok(await studies.ListAsync(ct));

    /// <summary>Queues every run of the grid in one transaction: 201 with the study, its runs and its (empty) table.</summary>
    static async Task<Results<Created<StudyDto>, ValidationProblem, ProblemHttpResult>> Create(CreateStudyBody body, StudyService studies, CancellationToken ct)
    {
        try
        {
            var study = await studies.CreateAsync(ToRequest(body), ct);
            return TypedResults.Created($"/api/studies/{study.Id}", (await Load(studies, study.Id, ct))!);
        }
        catch (RunRequestException e) when (e.Kind == RequestErrorKind.NotFound) { return ApiProblems.NotFound(e); }
        catch (RunRequestException e) { return ApiProblems.Invalid(e); }
    }

    /// <summary>The study, its runs and its table as JSON.</summary>
    static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Get(int id, StudyService studies, CancellationToken ct) =>
        await Load(studies, id, ct) is { } dto ? TypedResults.Ok(dto) : ApiProblems.NotFound($"no study #{id}");

    /// <summary>The table as long-format CSV (see <see cref="StudyTable.ToCsv"/>).</summary>
    static async Task<Results<ContentHttpResult, ProblemHttpResult>> Csv(int id, StudyService studies, CancellationToken ct) =>
        await studies.TableAsync(id, ct) is { } table ? TypedResults.Text(table.ToCsv(), "text/csv", Encoding.UTF8) : ApiProblems.NotFound($"no study #{id}");

    /// <summary>The table as a booktabs LaTeX table (see <see cref="StudyTable.ToLatex"/>).</summary>
    static async Task<Results<ContentHttpResult, ProblemHttpResult>> Latex(int id, StudyService studies, CancellationToken ct) =>
        await studies.TableAsync(id, ct) is { } table ? TypedResults.Text(table.ToLatex(), "application/x-tex", Encoding.UTF8) : ApiProblems.NotFound($"no study #{id}");

    static async Task<StudyDto?> Load(StudyService studies, int id, CancellationToken ct)
    {
        if (await studies.GetAsync(id, ct) is not { } s || await studies.TableAsync(id, ct) is not { } table) return null;
        return new StudyDto(s.Id, s.Name, s.DatasetId, s.Dataset, s.CreatedAt, s.Grid, s.Runs,
            new TableDto(StudyTable.Definition, table.Title, table.Columns, table.Seeds, table.Rows));
    }

    /// <summary>The body's JSON shapes (partial configs, "all", a seed count) as a <see cref="StudyRequest"/>; throws naming each bad field.</summary>
    static StudyRequest ToRequest(CreateStudyBody body)
    {
        var errors = new RequestErrors();
        var variants = new List<StudyVariant>();
        if (!string.IsNullOrEmpty(body.Preset))
        {
            if (!StudyPresets.Names.Contains(body.Preset)) errors.Add("preset", $"unknown preset '{body.Preset}'; the presets are {string.Join(", ", StudyPresets.Names)}");
            else if (body.Variants is { Count: > 0 }) errors.Add("variants", "give either a preset or variants, not both");
            else if (PartialConfig.Merge(body.Config, errors) is { } baseConfig)
                variants.AddRange(StudyPresets.Create(body.Preset, "", "", baseConfig).Variants);
        }
        else if (body.Variants is null || body.Variants.Count == 0) errors.Add("variants", $"at least one variant {{name, config}} is required, or a preset ({string.Join(", ", StudyPresets.Names)})");
        else
            for (int i = 0; i < body.Variants.Count; i++)
                if (PartialConfig.Merge(body.Variants[i].Config, errors, $"variants[{i}].config") is { } config)
                    variants.Add(new StudyVariant(body.Variants[i].Name ?? "", config));

        IReadOnlyList<string>? heldOut = null;
        switch (body.HeldOut)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
            case { ValueKind: JsonValueKind.String } all when all.GetString() == "all":
                break;
            case { ValueKind: JsonValueKind.String } one:
                heldOut = [one.GetString()!];
                break;
            case { ValueKind: JsonValueKind.Array } list when list.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String):
                heldOut = list.EnumerateArray().Select(x => x.GetString()!).ToList();
                break;
            default:
                errors.Add("heldOut", "must be \"all\" or a list of center names");
                break;
        }

        IReadOnlyList<int> seeds = [0, 1, 2];
        switch (body.Seeds)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                break;
            case { ValueKind: JsonValueKind.Number } count when count.TryGetInt32(out int n) && n is >= 1 and <= 100:
                seeds = Enumerable.Range(0, n).ToList();
                break;
            case { ValueKind: JsonValueKind.Array } list when list.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _)):
                seeds = list.EnumerateArray().Select(x => x.GetInt32()).ToList();
                break;
            default:
                errors.Add("seeds", "must be a count between 1 and 100 or a list of integer seeds");
                break;
        }
        errors.ThrowIfAny();
        return new StudyRequest(body.Name ?? "", ApiProblems.NameOrId(body.Dataset) ?? "", variants, heldOut, seeds);
    }
}
