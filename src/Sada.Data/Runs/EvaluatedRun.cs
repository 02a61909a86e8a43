using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>A run row with its dataset's name and its evaluations in step order: what picking a checkpoint needs.</summary>
public sealed record EvaluatedRun(Run Run, string Dataset, IReadOnlyList<RunMetric> Evaluations);
