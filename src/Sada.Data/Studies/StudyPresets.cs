using Sada.Core.Algorithms;

namespace Sada.Data.Studies;

/// <summary>
/// The studies the form and the API can create by name: the ablation of SADA's parts, the paper's Table I, and SADA vs ERM. Each is a
/// <see cref="StudyRequest"/> over a base config (its shared settings), every center held out, seeds 0..n-1; the rows
/// come in the order the paper prints them, which the study's table keeps.
/// </summary>
public static class StudyPresets
{
    public const string FullAblation = "full-ablation";
    public const string TableOne = "table-1";
    public const string SadaVsErm = "sada-vs-erm";

    public static IReadOnlyList<string> Names { get; } = [FullAblation, TableOne, SadaVsErm];

    /// <summary>Table I's methods, in the paper's row order.</summary>
    public static IReadOnlyList<string> TableOneAlgorithms { get; } = ["erm", "coral", "mixup", "selfreg", "boda", "sada"];

    /// <summary>The named preset over <paramref name="baseConfig"/>; an unknown name lists the known ones.</summary>
    public static StudyRequest Create(string preset, string name, string dataset, AlgorithmConfig? baseConfig = null, int seeds = 3) => preset switch
    {
        FullAblation => StudyService.FullAblation(name, dataset, baseConfig, seeds),
        TableOne => TableOneStudy(name, dataset, baseConfig, seeds),
        SadaVsErm => SadaVsErmStudy(name, dataset, baseConfig, seeds),
        _ => throw new ArgumentException($"unknown preset '{preset}'; the presets are {string.Join(", ", Names)}", nameof(preset)),
    };

    /// <summary>SADA and ERM with the base config's shared settings: the method against its baseline.</summary>
    public static StudyRequest SadaVsErmStudy(string name, string dataset, AlgorithmConfig? baseConfig = null, int seeds = 3)
    {
        var sada = (baseConfig ?? new AlgorithmConfig()) with { Algorithm = "sada", Seed = 0 };
        return new StudyRequest(name, dataset, [new StudyVariant("SADA", sada), new StudyVariant("ERM", sada with { Algorithm = "erm" })],
            HeldOut: null, Enumerable.Range(0, seeds).ToList());
    }

    /// <summary>ERM, CORAL, Mixup, SelfReg, BoDA and SADA, each with the base config's shared settings, named by their titles.</summary>
    public static StudyRequest TableOneStudy(string name, string dataset, AlgorithmConfig? baseConfig = null, int seeds = 3)
    {
        var shared = (baseConfig ?? new AlgorithmConfig()) with { Seed = 0 };
        return new StudyRequest(name, dataset,
            TableOneAlgorithms.Select(a => new StudyVariant(AlgorithmRegistry.Find(a).Title, shared with { Algorithm = a })).ToList(),
            HeldOut: null, Enumerable.Range(0, seeds).ToList());
    }
}
