using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>What the run overview shows before the live feed adds to it: the run's row, its annotations and its config set against its algorithm's defaults.</summary>
public sealed record RunOverviewData(RunSummary Run, string? CodeVersion, RunAnnotation Annotation, AlgorithmConfig? Config,
    IReadOnlyList<ConfigField> Fields, string? ConfigProblem);

/// <summary>The run overview's reads and its one write (name, tags, notes), through Sada.Data's services.</summary>
public sealed class RunOverviewPages(RunCatalog catalog, RunAnnotations annotations)
{
    /// <summary>Null for an unknown run. A config that no longer reads (an old or hand-edited row) is reported, not thrown.</summary>
    public async Task<RunOverviewData?> LoadAsync(int runId, CancellationToken cancellation = default)
    {
        if (await catalog.GetAsync(runId, cancellation) is not { } details) return null;
        var annotation = new RunAnnotation(runId, details.Run.Name, details.Run.Tags ?? [], details.Notes);
        try
        {
            var config = AlgorithmConfig.FromJson(details.ConfigJson);
            return new RunOverviewData(details.Run, details.CodeVersion, annotation, config, ConfigFields.Of(config), null);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            return new RunOverviewData(details.Run, details.CodeVersion, annotation, null, [], $"The stored config cannot be read: {e.Message}");
        }
    }

    /// <summary>Saves the change; null for an unknown run; a <see cref="RunRequestException"/> names each invalid field.</summary>
    public Task<RunAnnotation?> SaveAsync(int runId, RunAnnotationChange change, CancellationToken cancellation = default) =>
        annotations.UpdateAsync(runId, change, cancellation);

    /// <summary>The problems of a change by field, before it is saved (shown under the fields as they are typed).</summary>
    public static IReadOnlyDictionary<string, string[]> Check(RunAnnotationChange change) => RunAnnotations.Check(change);

    /// <summary>Tags as typed in one field: separated by commas or spaces.</summary>
    public static IReadOnlyList<string> SplitTags(string? text) =>
        (text ?? "").Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The selected evaluation among the feed's metrics, by the study table's rule (best validation, earliest step).</summary>
    public static EvaluationPoint? Selected(IEnumerable<Sada.Data.Runs.Events.MetricMessage> metrics) =>
        StudyTable.Select(metrics.Select(m => new EvaluationPoint(m.Step, m.ValidationAccuracy, m.HeldOutAccuracy, m.HeldOutF1Macro)));
}
