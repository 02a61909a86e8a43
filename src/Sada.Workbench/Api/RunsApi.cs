using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Data.Studies;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Api;

/// <summary>/api/runs: list, create, read (with every evaluation) and cancel training runs.</summary>
public static class RunsApi
{
    /// <summary>
    /// POST /api/runs. <see cref="Dataset"/>: name or id; <see cref="Config"/>: only the fields that differ from the
    /// method's defaults (merged over them; the run stores the full config); <see cref="Seed"/> overrides config.seed.
    /// </summary>
    public sealed record CreateRunBody(JsonElement? Dataset, string? HeldOut, JsonElement? Config, int? Seed, int? Study);

    /// <summary>One evaluation; <see cref="Losses"/> holds every loss the algorithm reported, by its own names.</summary>
    public sealed record MetricDto(int Step, int Stage, IReadOnlyDictionary<string, double> Losses,
        double? HeldOutAccuracy, double? HeldOutF1Micro, double? HeldOutF1Macro, JsonElement? PerClassRecall, JsonElement? Confusion,
        JsonElement? Validation, double? ValidationAccuracy, double? ImagesPerSecond, double ElapsedSeconds, DateTime CreatedAt);

    public sealed record RunDto(int Id, int DatasetId, string Dataset, int? StudyId, string HoldoutCenter, string Algorithm, int Seed,
        RunStatus Status, int Step, int TotalSteps, bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
        DateTime? HeartbeatAt, string? Device, string? Error, string? CodeVersion, string? CheckpointDirectory, JsonElement? Config,
        IReadOnlyList<MetricDto> Metrics);

    public sealed record CancelDto(int Id, string Outcome, RunStatus Status);

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runs").WithTags("Runs").RequireAuthorization(WorkbenchPolicies.Read);
        api.MapGet("/", List);
        api.MapPost("/", Create).RequireAuthorization(WorkbenchPolicies.Train);
        api.MapGet("/{id:int}", Get);
        api.MapGet("/table.csv", (string? ids, StudyService studies, CancellationToken ct) => SelectionTable(ids, studies, t => TypedResults.Text(t.ToCsv(), "text/csv", Encoding.UTF8), ct));
        api.MapGet("/table.tex", (string? ids, StudyService studies, CancellationToken ct) => SelectionTable(ids, studies, t => TypedResults.Text(t.ToLatex(), "application/x-tex", Encoding.UTF8), ct));
        api.MapPost("/{id:int}/cancel", Cancel).RequireAuthorization(WorkbenchPolicies.Train);
        api.MapGet("/{id:int}/tsne", Embeddings);
        // Reading only, but it trains nothing and may take seconds of CPU: every role may ask.
        api.MapPost("/{id:int}/tsne", EmbedCheckpoint);
        return app;
    }

    /// <summary>
    /// A page of runs (<c>{total, items}</c>), newest first unless <c>sort</c> says otherwise: <c>q</c> searches name, notes,
    /// tags and config; <c>tag</c>, <c>algorithm</c>, <c>heldOut</c>, <c>status</c>, <c>dataset</c> (name or id) and <c>study</c>
    /// filter; <c>limit</c> (default 200) and <c>offset</c> page. A bad <c>status</c> or <c>sort</c> is a 400 listing the allowed values.
    /// </summary>
    static async Task<Results<Ok<RunPage>, ValidationProblem, ProblemHttpResult>> List(RunCatalog runs, string? q, string? tag, string? algorithm,
        string? heldOut, string? status, string? dataset, int? study, string? sort, int? limit, int? offset, CancellationToken ct)
    {
        RunStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
                return ApiProblems.Invalid("status", $"'{status}' is not a run status; the statuses are {string.Join(", ", Enum.GetNames<RunStatus>().Select(JsonNamingPolicy.CamelCase.ConvertName))}");
            wanted = parsed;
        }
        if (!RunSort.TryParse(sort, out var order))
            return ApiProblems.Invalid("sort", $"'{sort}' is not a sort; sort by {string.Join(", ", RunSort.Names)}, with a leading '-' for descending (e.g. -f1Micro)");
        if (limit is < 1 or > 10_000) return ApiProblems.Invalid("limit", $"{limit} is outside 1..10000");
        if (offset is < 0) return ApiProblems.Invalid("offset", $"{offset} is negative");
        try
        {
            var filter = new RunFilter(wanted, string.IsNullOrEmpty(dataset) ? null : dataset, study, limit ?? 200)
            {
                Query = q, Tag = tag, Algorithm = algorithm, HeldOut = heldOut, Sort = order, Offset = offset ?? 0,
            };
            return TypedResults.Ok(await runs.PageAsync(filter, ct));
        }
        catch (RunRequestException e) when (e.Kind == RequestErrorKind.NotFound) { return ApiProblems.NotFound(e); }
        catch (RunRequestException e) { return ApiProblems.Invalid(e); }
    }

    /// <summary>Queues a run: 201 with the run, 404 for an unknown dataset, 400 naming each invalid field.</summary>
    static async Task<Results<Created<RunDto>, ValidationProblem, ProblemHttpResult>> Create(CreateRunBody body, RunRequests requests, RunCatalog runs, CancellationToken ct)
    {
        var errors = new RequestErrors();
        var config = PartialConfig.Merge(body.Config, errors);
        try
        {
            errors.ThrowIfAny();
            var run = await requests.CreateAsync(new RunRequest(ApiProblems.NameOrId(body.Dataset) ?? "", body.HeldOut ?? "", config!, body.Seed, body.Study), ct);
            var details = (await runs.GetAsync(run.Id, ct))!;
            return TypedResults.Created($"/api/runs/{run.Id}", ToDto(details));
        }
        catch (RunRequestException e) when (e.Kind == RequestErrorKind.NotFound) { return ApiProblems.NotFound(e); }
        catch (RunRequestException e) { return ApiProblems.Invalid(e); }
    }

    /// <summary>A run with its full config and every evaluation row in step order.</summary>
    static async Task<Results<Ok<RunDto>, ProblemHttpResult>> Get(int id, RunCatalog runs, CancellationToken ct) =>
        await runs.GetAsync(id, ct) is { } details ? TypedResults.Ok(ToDto(details)) : ApiProblems.NotFound($"no run #{id}");

    /// <summary>The run's stored t-SNE embeddings (end of stage 1, end of run, and any made on demand).</summary>
    static async Task<Results<Ok<IReadOnlyList<EmbeddingMessage>>, ProblemHttpResult>> Embeddings(int id, RunStore store, CancellationToken ct) =>
        await store.GetHistoryAsync(id, ct) is { } history
            ? TypedResults.Ok<IReadOnlyList<EmbeddingMessage>>(history.Embeddings.Select(EmbeddingMessage.From).ToList())
            : ApiProblems.NotFound($"no run #{id}");

    /// <summary>
    /// A t-SNE of the run's best-by-validation weights, made now (or the stored one for that step): 404 for an unknown run,
    /// 409 when the run has no evaluation or no stored weights yet.
    /// </summary>
    static async Task<Results<Ok<EmbeddingMessage>, ProblemHttpResult>> EmbedCheckpoint(int id, CheckpointEmbedder embedder, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await embedder.EmbedAsync(id, ct));
        }
        catch (KeyNotFoundException) { return ApiProblems.NotFound($"no run #{id}"); }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or InvalidDataException)
        {
            return ApiProblems.Conflict($"run #{id} cannot be embedded yet: {e.Message}");
        }
    }

    /// <summary>Cancels a queued run at once or asks a running one to stop at its next step; 409 when it has already finished.</summary>
    static async Task<Results<Ok<CancelDto>, ProblemHttpResult>> Cancel(int id, RunCancellation runs, CancellationToken ct)
    {
        var result = await runs.CancelAsync(id, ct);
        return result.Outcome switch
        {
            CancelOutcome.NotFound => ApiProblems.NotFound($"no run #{id}"),
            CancelOutcome.AlreadyFinished => ApiProblems.Conflict($"run #{id} has already finished ({JsonNamingPolicy.CamelCase.ConvertName(result.Status!.Value.ToString())}); there is nothing to cancel"),
            _ => TypedResults.Ok(new CancelDto(id, JsonNamingPolicy.CamelCase.ConvertName(result.Outcome.ToString()), result.Status!.Value)),
        };
    }

    /// <summary>
    /// The paper-style table of hand-picked runs (<c>?ids=3,5,8</c>), as Compare shows it: 400 naming <c>ids</c> when it is
    /// empty or not a list of numbers, 404 naming the runs that do not exist.
    /// </summary>
    static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> SelectionTable(string? ids, StudyService studies,
        Func<StudyTable, ContentHttpResult> format, CancellationToken ct)
    {
        var parts = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = parts.Select(p => int.TryParse(p, out var id) ? id : (int?)null).ToList();
        if (parsed.Count == 0 || parsed.Any(p => p is null))
            return ApiProblems.Invalid("ids", $"'{ids}' is not a comma-separated list of run ids, e.g. ?ids=3,5,8");
        var wanted = parsed.Select(p => p!.Value).Distinct().ToList();
        var missing = await studies.MissingRunsAsync(wanted, ct);
        if (missing.Count > 0) return ApiProblems.NotFound($"no run {string.Join(", ", missing.Select(m => $"#{m}"))}");
        return format(await studies.TableForRunsAsync(SelectionTitle(wanted), wanted, ct));
    }

    /// <summary>The title Compare and the exports give a table of hand-picked runs.</summary>
    public static string SelectionTitle(IReadOnlyCollection<int> runIds) => $"{runIds.Count} selected runs";

    static RunDto ToDto(RunDetails d)
    {
        var r = d.Run;
        return new RunDto(r.Id, r.DatasetId, r.Dataset, r.StudyId, r.HoldoutCenter, r.Algorithm, r.Seed, r.Status, r.Step, r.TotalSteps,
            r.CancelRequested, r.CreatedAt, r.StartedAt, r.FinishedAt, d.HeartbeatAt, r.Device, r.Error, d.CodeVersion, d.CheckpointDirectory,
            ApiProblems.Raw(d.ConfigJson),
            d.Metrics.Select(m => new MetricDto(m.Step, m.Stage, RunStore.ReadLosses(m), m.HeldOutAccuracy,
                m.HeldOutAccuracy, m.HeldOutF1Macro, ApiProblems.Raw(m.PerClassRecallJson), ApiProblems.Raw(m.ConfusionJson),
                ApiProblems.Raw(m.ValidationJson), m.ValidationAccuracy, m.ImagesPerSecond, m.ElapsedSeconds, m.CreatedAt)).ToList());
    }
}
