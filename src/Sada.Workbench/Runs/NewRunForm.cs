using System.Globalization;
using System.Text.RegularExpressions;
using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>A number field whose text is not a number (<see cref="Message"/>), or is one again (null).</summary>
public sealed record FieldTextError(string Field, string? Message);

/// <summary>The new-run form's starting points: SADA with the method's defaults, ERM, and the full ablation study.</summary>
public enum NewRunPreset { Sada, Erm, FullAblation, TableOne }

/// <summary>
/// The state of the new-run form and what follows from it: the runs or the study grid it would queue, their estimate,
/// and every problem keyed by the field it is about. Config problems come from <see cref="AlgorithmConfig.Validate"/>,
/// the check the API runs too; refusals of the services at submit are mapped onto the same keys.
/// </summary>
public sealed partial class NewRunForm
{
    /// <summary>Keys of the problems that are not a config field.</summary>
    public const string DatasetKey = "dataset", HeldOutKey = "heldOut", SeedsKey = "seeds", NameKey = "name", VariantsKey = "variants", FormKey = "form";

    readonly Dictionary<string, string> _submitErrors = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _textErrors = new(StringComparer.Ordinal);
    AlgorithmConfig _config = new();
    DatasetChoice? _dataset;
    IReadOnlyList<string> _heldOut = [];
    string _seeds = "0";
    string _studyName = "";

    /// <summary>The server's check of a weights path; null: the file exists (the server sets its weight roots' check).</summary>
    public Func<string, string?>? CheckWeights { get; set; }

    /// <summary>The preset last applied; null after pre-filling from a stored run.</summary>
    public NewRunPreset? Preset { get; private set; } = NewRunPreset.Sada;

    /// <summary>The full ablation queues a study of variants; the other presets queue plain runs.</summary>
    public bool IsStudy => StudyPreset is not null;

    /// <summary>The study preset's name (<see cref="StudyPresets"/>) when the form makes a study, else null.</summary>
    public string? StudyPreset => Preset switch
    {
        NewRunPreset.FullAblation => StudyPresets.FullAblation,
        NewRunPreset.TableOne => StudyPresets.TableOne,
        _ => null,
    };

    /// <summary>The config of the runs, or in a study the SADA row every variant departs from.</summary>
    public AlgorithmConfig Config { get => _config; set => Edit(ref _config, value); }

    public DatasetChoice? Dataset { get => _dataset; set { Edit(ref _dataset, value); _heldOut = _heldOut.Where(c => value?.Centers.Contains(c) == true).ToList(); } }

    public IReadOnlyList<string> HeldOut { get => _heldOut; set => Edit(ref _heldOut, value.Order(StringComparer.Ordinal).ToList()); }

    /// <summary>Seeds as typed: whole numbers separated by commas or spaces.</summary>
    public string Seeds { get => _seeds; set => Edit(ref _seeds, value); }

    public string StudyName { get => _studyName; set => Edit(ref _studyName, value); }

    void Edit<T>(ref T field, T value)
    {
        field = value;
        // A refusal was about the values as they were; once they change, the live checks speak for them.
        _submitErrors.Clear();
    }

    /// <summary>
    /// Fills the fields from a preset. SADA and ERM set the config alone; a study (the full ablation, Table I) also holds
    /// out every center, takes seeds 0, 1, 2 (as <see cref="StudyPresets"/> do) and proposes a study name.
    /// </summary>
    public void Apply(NewRunPreset preset)
    {
        Preset = preset;
        _textErrors.Clear();
        Config = preset == NewRunPreset.Erm ? new AlgorithmConfig { Algorithm = "erm" } : new AlgorithmConfig();
        if (StudyPreset is not { } study) return;
        var request = StudyPresets.Create(study, "", "");
        HeldOut = Dataset?.Centers ?? [];
        Seeds = string.Join(", ", request.Seeds);
        var title = preset == NewRunPreset.TableOne ? "Table I" : "full ablation";
        if (string.IsNullOrWhiteSpace(StudyName)) StudyName = $"{title}{(Dataset is null ? "" : $" on {Dataset.Name}")}";
    }

    /// <summary>Pre-fills from a stored run: its dataset, held-out center, seed and whole config.</summary>
    public void From(RunSource source, DatasetChoice? dataset)
    {
        Preset = null;
        _textErrors.Clear();
        Dataset = dataset;
        HeldOut = [source.HeldOut];
        Seeds = source.Config.Seed.ToString(CultureInfo.InvariantCulture);
        Config = source.Config;
    }

    /// <summary>The seeds typed, or null when they do not parse (the problem is under <see cref="SeedsKey"/>).</summary>
    public IReadOnlyList<int>? ParsedSeeds => ParseSeeds(Seeds, out _);

    /// <summary>The rows of the grid: the ablation's variants in a study, else the one config.</summary>
    public IReadOnlyList<StudyVariant> Variants => StudyPreset is { } study ? StudyPresets.Create(study, "", "", Config).Variants : [new StudyVariant("", Config)];

    /// <summary>What a study row changes from the SADA row, e.g. "stainAugmentation=false"; "algorithm=erm" for the baseline.</summary>
    public string DifferenceFromBase(AlgorithmConfig row)
    {
        var differences = StudyService.Describe(row).Split(' ').Skip(1).Except(StudyService.Describe(Config).Split(' ').Skip(1)).ToList();
        if (row.Algorithm != Config.Algorithm) differences.Insert(0, $"algorithm={row.Algorithm}");
        return differences.Count == 0 ? "(the SADA row)" : string.Join(", ", differences);
    }

    /// <summary>How many runs the form queues: variants x held-out centers x seeds.</summary>
    public int RunCount => Variants.Count * HeldOut.Count * (ParsedSeeds?.Count ?? 0);

    /// <summary>Every run the form would queue, for the estimate: each trains on the dataset's other centers.</summary>
    public IReadOnlyList<RunPlan> Plans()
    {
        int trainingCenters = Math.Max(0, (Dataset?.Centers.Count ?? 0) - 1);
        int seeds = ParsedSeeds?.Count ?? 0;
        return Variants.SelectMany(v => Enumerable.Repeat(new RunPlan(v.Config, trainingCenters), HeldOut.Count * seeds)).ToList();
    }

    /// <summary>Every problem by key (a config field's name, or one of the keys above): the live checks, then what the last submit was refused for.</summary>
    public IReadOnlyDictionary<string, string> Errors
    {
        get
        {
            // A field whose text is not a number says so; its value's check would be about the last number it held.
            var errors = new Dictionary<string, string>(_textErrors, StringComparer.Ordinal);
            foreach (var e in Config.Validate(CheckWeights)) errors.TryAdd(e.Field, e.Message);
            if (Dataset is null) errors[DatasetKey] = "choose a dataset";
            else if (Dataset.Centers.Count < 2) errors[DatasetKey] = "leave-one-center-out needs a dataset with at least two centers";
            if (HeldOut.Count == 0) errors[HeldOutKey] = "choose at least one held-out center";
            ParseSeeds(Seeds, out var seedError);
            if (seedError is not null) errors[SeedsKey] = seedError;
            if (IsStudy && string.IsNullOrWhiteSpace(StudyName)) errors[NameKey] = "a study name is required";
            foreach (var (key, message) in _submitErrors) errors.TryAdd(key, message);
            return errors;
        }
    }

    public bool IsValid => Errors.Count == 0;

    /// <summary>A config field's text is not a number (held, and shown under it, until it is one again or a preset replaces the config).</summary>
    public void SetTextError(FieldTextError error)
    {
        if (error.Message is { } message) _textErrors[error.Field] = message;
        else _textErrors.Remove(error.Field);
    }

    /// <summary>Files a refusal of <see cref="RunRequests"/> or <see cref="StudyService"/> under the form's keys: "config.K" and "variants[2].config.K" under "K".</summary>
    public void Refused(RunRequestException refusal)
    {
        _submitErrors.Clear();
        foreach (var (field, messages) in refusal.Errors)
            _submitErrors.TryAdd(KeyOf(field), string.Join("; ", messages));
    }

    static string KeyOf(string field)
    {
        var config = ConfigField().Match(field);
        if (config.Success && PartialConfig.FieldNames.Contains(config.Groups[1].Value)) return config.Groups[1].Value;
        if (field.StartsWith("variants", StringComparison.Ordinal)) return VariantsKey;
        return field is DatasetKey or HeldOutKey or SeedsKey or NameKey ? field : FormKey;
    }

    [GeneratedRegex(@"^(?:variants\[\d+\]\.)?config\.(\w+)$")]
    private static partial Regex ConfigField();

    /// <summary>Whole numbers separated by commas or spaces, distinct, at least one.</summary>
    static List<int>? ParseSeeds(string text, out string? error)
    {
        var parts = text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, out int seed))
            {
                error = $"'{part}' is not a seed; write whole numbers separated by commas";
                return null;
            }
            seeds.Add(seed);
        }
        error = seeds.Count == 0 ? "at least one seed is required"
            : seeds.Distinct().Count() != seeds.Count ? "seeds must be distinct" : null;
        return error is null ? seeds : null;
    }
}
