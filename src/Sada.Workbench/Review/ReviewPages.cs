using Sada.Core.Algorithms;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Data.Studies;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Review;

/// <summary>
/// A run as the review shows it: its variant (the study's name for its config, else the config's differences from its
/// algorithm's defaults), the selected evaluation's stored metrics, or why it has none.
/// </summary>
public sealed record RunReview(int RunId, string Variant, string Algorithm, int Seed, RunStatus Status, string HeldOut, MetricMessage? Selected, string? Problem);

/// <summary>One variant's mean on one held-out center over its runs that have a selected evaluation (its seeds).</summary>
public sealed record VariantMean(string Variant, int Runs, double? Accuracy, double? F1Macro);

/// <summary>The runs that held one center out.</summary>
public sealed record CenterReview(string HeldOut, IReadOnlyList<RunReview> Runs)
{
    /// <summary>
    /// Per variant (in the runs' order), the mean over its scored runs: SADA and ERM are never averaged together, a
    /// variant's seeds are.
    /// </summary>
    public IReadOnlyList<VariantMean> Means => Runs.Where(r => r.Selected is not null).GroupBy(r => r.Variant, StringComparer.Ordinal)
        .Select(g => new VariantMean(g.Key, g.Count(), Mean(g.Select(r => r.Selected!.HeldOutAccuracy)), Mean(g.Select(r => r.Selected!.HeldOutF1Macro))))
        .ToList();

    static double? Mean(IEnumerable<double?> values) => values.OfType<double>().ToList() is { Count: > 0 } v ? v.Average() : null;
}

/// <summary>What a review page shows: a run or a study's runs, grouped by held-out center.</summary>
public sealed record ReviewScope(string Title, string Dataset, int? StudyId, IReadOnlyList<CenterReview> Centers);

/// <summary>A completed run that can classify an uploaded cell, with what it scored on its held-out center.</summary>
public sealed record PredictableRun(int RunId, string Dataset, string Algorithm, string HeldOut, int Seed, int Step, double? Accuracy, double? F1Macro)
{
    public string Label => $"#{RunId} {Algorithm} · held out {HeldOut} · F1-macro {(F1Macro is double f ? $"{f:P1}" : "n/a")} · {Dataset}";
}

/// <summary>What the review and predict pages read, kept out of the pages.</summary>
public sealed class ReviewPages(RunCatalog runs, RunCheckpoints checkpoints, StudyService studies)
{
    /// <summary>One run in its held-out center's group; null for an unknown run.</summary>
    public async Task<ReviewScope?> ForRunAsync(int runId, CancellationToken cancellation = default)
    {
        var reviews = Reviews(await runs.EvaluatedAsync(runId, cancellation) is { } run ? [run] : [], new Dictionary<string, string>());
        if (reviews.Count == 0) return null;
        var (review, dataset) = reviews[0];
        return new ReviewScope($"Run #{runId}", dataset, null, [new CenterReview(review.HeldOut, [review])]);
    }

    /// <summary>Every run of the study, grouped by held-out center in the grid's order, variants in the grid's order; null for an unknown study.</summary>
    public async Task<ReviewScope?> ForStudyAsync(int studyId, CancellationToken cancellation = default)
    {
        var study = await studies.GetAsync(studyId, cancellation);
        if (study is null) return null;
        var variantOf = study.Grid.Variants.ToDictionary(v => (v.Config with { Seed = 0 }).ToJson(), v => v.Name);
        var reviews = Reviews(await runs.EvaluatedInStudyAsync(studyId, cancellation), variantOf).Select(r => r.Review).ToList();
        var variantOrder = study.Grid.Variants.Select(v => v.Name).ToList();
        var centers = study.Grid.HeldOut.Concat(reviews.Select(r => r.HeldOut)).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(c => new CenterReview(c, reviews.Where(r => string.Equals(r.HeldOut, c, StringComparison.OrdinalIgnoreCase))
                .OrderBy(r => variantOrder.IndexOf(r.Variant) is var i and >= 0 ? i : int.MaxValue).ThenBy(r => r.Seed).ThenBy(r => r.RunId).ToList()))
            .ToList();
        return new ReviewScope($"Study #{studyId} {study.Name}", study.Dataset, studyId, centers);
    }

    public Task<IReadOnlyList<StudySummary>> StudiesAsync(CancellationToken cancellation = default) => studies.ListAsync(cancellation);

    /// <summary>Completed runs with stored weights, newest first, with their selected evaluation's held-out scores.</summary>
    public async Task<IReadOnlyList<PredictableRun>> PredictableRunsAsync(CancellationToken cancellation = default)
    {
        var reviews = Reviews(await runs.EvaluatedCompletedAsync(cancellation), new Dictionary<string, string>());
        return reviews.Where(r => r.Review.Problem is null).OrderByDescending(r => r.Review.RunId)
            .Select(r => new PredictableRun(r.Review.RunId, r.Dataset, r.Review.Algorithm, r.Review.HeldOut, r.Review.Seed, r.Review.Selected!.Step,
                r.Review.Selected.HeldOutAccuracy, r.Review.Selected.HeldOutF1Macro)).ToList();
    }

    List<(RunReview Review, string Dataset)> Reviews(IReadOnlyList<EvaluatedRun> evaluated, Dictionary<string, string> variantOf) =>
        evaluated.Select(e =>
        {
            var run = e.Run;
            var checkpoint = checkpoints.Of(run, e.Evaluations);
            var config = checkpoint.Config;
            var variant = variantOf.TryGetValue((config with { Seed = 0 }).ToJson(), out var name) ? name : StudyService.Describe(config);
            var review = new RunReview(run.Id, variant, run.Algorithm, run.Seed, run.Status, run.HoldoutCenter,
                checkpoint.Selected is { } selected ? MetricMessage.From(selected) : null, checkpoint.Problem);
            return (review, e.Dataset);
        }).ToList();
}
