using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Sada.Core.Algorithms;
using Sada.Data.Runs;
using Sada.Data.Studies;

namespace Sada.Workbench.Runs;

/// <summary>A number field whose text is not a number (<see cref="Message"/>), or is one again (null).</summary>
public sealed record FieldTextError(string Field, string? Message);

/// <summary>
/// The new-run form's starting points: SADA with the method's defaults and ERM (plain runs); SADA vs ERM, the full
/// ablation and Table I (studies: they fill the grid); a custom study (a grid of one row, the form's config).
/// </summary>
public enum NewRunPreset { Sada, Erm, SadaVsErm, FullAblation, TableOne, Custom }

/// <summary>
/// One row of the form's study grid: its name, its kind (an algorithm of the <see cref="AlgorithmRegistry"/>, or one of
/// <see cref="NewRunForm.Ablations"/>) and the fields edited in place on this row alone (JSON names and values). Its
/// config is the form's shared settings made into its kind, then its edits: a shared setting changed later (the
/// steps, say) reaches every row, an edited field stays the row's.
/// </summary>
public sealed record GridRow(string Name, string Kind, IReadOnlyDictionary<string, JsonNode?> Edits)
{
    public static GridRow Of(string name, string kind) => new(name, kind, new Dictionary<string, JsonNode?>(StringComparer.Ordinal));
}

/// <summary>A row kind that switches one part of SADA off: its key, its row name, and what it does to the shared settings.</summary>
public sealed record AblationKind(string Key, string Name, Func<AlgorithmConfig, AlgorithmConfig> Apply);

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
    List<GridRow>? _rows;
    int? _editing;

    /// <summary>The ablation rows (the full ablation's), each SADA with one part switched off.</summary>
    public static IReadOnlyList<AblationKind> Ablations { get; } =
    [
        new("no-sba", "SADA w/o SBA", c => c with { Algorithm = "sada", StainAugmentation = false }),
        new("no-la", "SADA w/o LA", c => c with { Algorithm = "sada", LaWeight = 0 }),
        new("no-disc", "SADA w/o DISC", c => c with { Algorithm = "sada", Contrast = ContrastMode.None }),
        new("single-stage", "SADA single-stage", c => c with { Algorithm = "sada", TwoStage = false }),
    ];

    /// <summary>Every kind a row can have: the registry's algorithms, then the ablations; with the name a new row of it gets.</summary>
    public static IReadOnlyList<(string Kind, string Name)> RowKinds { get; } =
        [.. AlgorithmRegistry.Names.Select(a => (a, AlgorithmRegistry.Find(a).Title)), .. Ablations.Select(a => (a.Key, a.Name))];

    /// <summary>The server's check of a weights path; null: the file exists (the server sets its weight roots' check).</summary>
    public Func<string, string?>? CheckWeights { get; set; }

    /// <summary>The preset last applied; null after pre-filling from a stored run.</summary>
    public NewRunPreset? Preset { get; private set; } = NewRunPreset.Sada;

    /// <summary>With a grid the form makes one study of its rows; without, plain runs of <see cref="Config"/>.</summary>
    public bool IsStudy => _rows is not null;

    /// <summary>The study preset (<see cref="StudyPresets"/>) a study preset fills the grid from, else null.</summary>
    public static string? StudyPresetOf(NewRunPreset preset) => preset switch
    {
        NewRunPreset.SadaVsErm => StudyPresets.SadaVsErm,
        NewRunPreset.FullAblation => StudyPresets.FullAblation,
        NewRunPreset.TableOne => StudyPresets.TableOne,
        _ => null,
    };

    /// <summary>The config of the runs, or in a study the shared settings every row is made from.</summary>
    public AlgorithmConfig Config { get => _config; set => Edit(ref _config, value); }

    /// <summary>The study grid's rows (empty when the form makes plain runs).</summary>
    public IReadOnlyList<GridRow> Rows => _rows ?? [];

    /// <summary>The row whose config the fields show and edit in place; null: the shared settings.</summary>
    public int? Editing { get => _editing; set => _editing = value is int i && i >= 0 && i < Rows.Count ? i : null; }

    /// <summary>What the config fields show: the row being edited, else the shared settings.</summary>
    public AlgorithmConfig EditedConfig => Editing is int i ? RowConfig(Rows[i]) : Config;

    /// <summary>Sets what the fields show: a row's edits (the fields that differ from its kind over the shared settings), else the shared settings.</summary>
    public void EditConfig(AlgorithmConfig config)
    {
        if (Editing is not int i) { Config = config; return; }
        var row = Rows[i];
        SetRow(i, row with { Edits = Differences(KindConfig(row.Kind), config) });
    }

    /// <summary>A row's config: its kind over the shared settings (seed 0: the grid's seeds set it), then its edits.</summary>
    public AlgorithmConfig RowConfig(GridRow row)
    {
        var config = KindConfig(row.Kind);
        if (row.Edits.Count == 0) return config;
        var json = JsonSerializer.SerializeToNode(config, AlgorithmConfig.Json)!.AsObject();
        foreach (var (field, value) in row.Edits) json[field] = value?.DeepClone();
        return json.Deserialize<AlgorithmConfig>(AlgorithmConfig.Json)! with { Seed = 0 };
    }

    AlgorithmConfig KindConfig(string kind)
    {
        var shared = Config with { Seed = 0 };
        return Ablations.FirstOrDefault(a => a.Key == kind) is { } ablation ? ablation.Apply(shared) : shared with { Algorithm = kind };
    }

    static Dictionary<string, JsonNode?> Differences(AlgorithmConfig from, AlgorithmConfig to)
    {
        var a = JsonSerializer.SerializeToNode(from, AlgorithmConfig.Json)!.AsObject();
        var b = JsonSerializer.SerializeToNode(to, AlgorithmConfig.Json)!.AsObject();
        return b.Where(p => !JsonNode.DeepEquals(a[p.Key], p.Value)).ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal);
    }

    /// <summary>Adds a row of the kind (an algorithm or an ablation key), named after it (with a number when the name is taken).</summary>
    public void AddRow(string kind)
    {
        var name = RowKinds.FirstOrDefault(k => k.Kind == kind).Name ?? kind;
        var unique = name;
        for (int n = 2; Rows.Any(r => r.Name == unique); n++) unique = $"{name} {n}";
        _rows ??= [];
        _rows.Add(GridRow.Of(unique, kind));
        _submitErrors.Clear();
    }

    public void RemoveRow(int index)
    {
        if (_rows is null || index < 0 || index >= _rows.Count) return;
        _rows.RemoveAt(index);
        if (Editing is int e) Editing = e == index ? null : e > index ? e - 1 : e;
        _submitErrors.Clear();
    }

    public void RenameRow(int index, string name) => SetRow(index, Rows[index] with { Name = name });

    void SetRow(int index, GridRow row)
    {
        _rows![index] = row;
        _submitErrors.Clear();
    }

    public DatasetChoice? Dataset { get => _dataset; set { Edit(ref _dataset, value); _heldOut = _heldOut.Where(c => value?.Centers.Contains(c) == true).ToList(); } }

    public IReadOnlyList<string> HeldOut { get => _heldOut; set => Edit(ref _heldOut, value.Order(StringComparer.Ordinal).ToList()); }

    /// <summary>Seeds as typed: whole numbers separated by commas or spaces, or a count ("n=3").</summary>
    public string Seeds { get => _seeds; set => Edit(ref _seeds, value); }

    public string StudyName { get => _studyName; set => Edit(ref _studyName, value); }

    void Edit<T>(ref T field, T value)
    {
        field = value;
        // A refusal was about the values as they were; once they change, the live checks speak for them.
        _submitErrors.Clear();
    }

    /// <summary>
    /// Fills the fields from a preset. SADA and ERM set the config alone (plain runs, no grid). A study preset (SADA vs ERM,
    /// the full ablation, Table I) fills the grid with its rows over the form's config as shared settings (its steps,
    /// backbone ...), holds out every center, takes seeds 0, 1, 2 (as <see cref="StudyPresets"/> do) and proposes a study
    /// name; Custom starts a grid of one row, the form's config. The grid stays editable.
    /// </summary>
    public void Apply(NewRunPreset preset)
    {
        Preset = preset;
        _textErrors.Clear();
        _editing = null;
        if (preset is NewRunPreset.Sada or NewRunPreset.Erm)
        {
            _rows = null;
            Config = preset == NewRunPreset.Erm ? new AlgorithmConfig { Algorithm = "erm" } : new AlgorithmConfig();
            return;
        }
        var shared = Config;
        if (preset == NewRunPreset.Custom)
        {
            _rows = [];
            AddRow(shared.Algorithm);
            if (string.IsNullOrWhiteSpace(StudyName)) StudyName = $"study{(Dataset is null ? "" : $" on {Dataset.Name}")}";
            return;
        }
        var request = StudyPresets.Create(StudyPresetOf(preset)!, "", "", shared);
        // Each preset row as a kind over the shared settings: the kind that makes its config, else its algorithm with edits.
        _rows = request.Variants.Select(v =>
        {
            var kind = RowKinds.Select(k => k.Kind).FirstOrDefault(k => KindConfig(k).ToJson() == (v.Config with { Seed = 0 }).ToJson()) ?? v.Config.Algorithm;
            return new GridRow(v.Name, kind, Differences(KindConfig(kind), v.Config with { Seed = 0 }));
        }).ToList();
        HeldOut = Dataset?.Centers ?? [];
        Seeds = string.Join(", ", request.Seeds);
        var title = preset switch { NewRunPreset.TableOne => "Table I", NewRunPreset.SadaVsErm => "SADA vs ERM", _ => "full ablation" };
        if (string.IsNullOrWhiteSpace(StudyName)) StudyName = $"{title}{(Dataset is null ? "" : $" on {Dataset.Name}")}";
    }

    /// <summary>Pre-fills from a stored run: its dataset, held-out center, seed and whole config.</summary>
    public void From(RunSource source, DatasetChoice? dataset)
    {
        Preset = null;
        _textErrors.Clear();
        _rows = null;
        _editing = null;
        Dataset = dataset;
        HeldOut = [source.HeldOut];
        Seeds = source.Config.Seed.ToString(CultureInfo.InvariantCulture);
        Config = source.Config;
    }

    /// <summary>The seeds typed, or null when they do not parse (the problem is under <see cref="SeedsKey"/>).</summary>
    public IReadOnlyList<int>? ParsedSeeds => ParseSeeds(Seeds, out _);

    /// <summary>The study's variants (the grid's rows with their configs), else the one config of the plain runs.</summary>
    public IReadOnlyList<StudyVariant> Variants => IsStudy ? Rows.Select(r => new StudyVariant(r.Name.Trim(), RowConfig(r))).ToList() : [new StudyVariant("", Config)];

    /// <summary>What a row changes from the shared settings, e.g. "stainAugmentation=false"; "algorithm=erm" for the baseline.</summary>
    public string DifferenceFromBase(AlgorithmConfig row)
    {
        var differences = StudyService.Describe(row).Split(' ').Skip(1).Except(StudyService.Describe(Config).Split(' ').Skip(1)).ToList();
        if (row.Algorithm != Config.Algorithm) differences.Insert(0, $"algorithm={row.Algorithm}");
        return differences.Count == 0 ? "(the shared settings)" : string.Join(", ", differences);
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
            // The fields show the shared settings or the row being edited: their problems go under those fields.
            foreach (var e in EditedConfig.Validate(CheckWeights)) errors.TryAdd(e.Field, e.Message);
            if (Dataset is null) errors[DatasetKey] = "choose a dataset";
            else if (Dataset.Centers.Count < 2) errors[DatasetKey] = "leave-one-center-out needs a dataset with at least two centers";
            if (HeldOut.Count == 0) errors[HeldOutKey] = "choose at least one held-out center";
            ParseSeeds(Seeds, out var seedError);
            if (seedError is not null) errors[SeedsKey] = seedError;
            if (IsStudy && string.IsNullOrWhiteSpace(StudyName)) errors[NameKey] = "a study name is required";
            if (IsStudy) GridErrors(errors);
            foreach (var (key, message) in _submitErrors) errors.TryAdd(key, message);
            return errors;
        }
    }

    public bool IsValid => Errors.Count == 0;

    /// <summary>The key of a row's name problem and of its config problem (shown on the row).</summary>
    public static string RowNameKey(int row) => $"variants[{row}].name";
    public static string RowConfigKey(int row) => $"variants[{row}].config";

    /// <summary>The grid's own checks, as <see cref="StudyService.CreateAsync"/> makes them: a row at least, names given and distinct, configs valid and distinct.</summary>
    void GridErrors(Dictionary<string, string> errors)
    {
        if (Rows.Count == 0) errors[VariantsKey] = "the grid is empty: add a row (an algorithm or an ablation) or choose a study preset";
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Rows.Count; i++)
        {
            var name = Rows[i].Name.Trim();
            if (name.Length == 0) errors[RowNameKey(i)] = "a variant name is required";
            else if (!names.TryAdd(name, i)) errors[RowNameKey(i)] = $"the name '{name}' is used twice (row {names[name] + 1} has it)";
            var config = RowConfig(Rows[i]);
            var problems = config.Validate(CheckWeights).Select(e => $"{e.Field}: {e.Message}").ToList();
            if (problems.Count > 0) errors[RowConfigKey(i)] = string.Join("; ", problems);
            else if (configs.TryGetValue(config.ToJson(), out var twin)) errors[RowConfigKey(i)] = $"the same config as variant '{twin}'";
            else configs[config.ToJson()] = name;
        }
    }

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
        if (RowName().IsMatch(field)) return field;
        if (field.StartsWith("variants", StringComparison.Ordinal)) return VariantsKey;
        return field is DatasetKey or HeldOutKey or SeedsKey or NameKey ? field : FormKey;
    }

    [GeneratedRegex(@"^(?:variants\[\d+\]\.)?config\.(\w+)$")]
    private static partial Regex ConfigField();

    [GeneratedRegex(@"^variants\[\d+\]\.name$")]
    private static partial Regex RowName();

    [GeneratedRegex(@"^(?:n\s*=\s*(\d+)|(\d+)\s+seeds?)$")]
    private static partial Regex SeedCount();

    /// <summary>Whole numbers separated by commas or spaces, distinct, at least one; or a count n ("n=3", "3 seeds"): 0..n-1.</summary>
    static List<int>? ParseSeeds(string text, out string? error)
    {
        // A count: "n=3" or "3 seeds" is seeds 0, 1, 2.
        if (SeedCount().Match(text.Trim()) is { Success: true } count)
        {
            var digits = count.Groups[1].Success ? count.Groups[1].Value : count.Groups[2].Value;
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 100)
            {
                error = null;
                return Enumerable.Range(0, n).ToList();
            }
            error = "a seed count is between 1 and 100";
            return null;
        }
        var parts = text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, out int seed))
            {
                error = $"'{part}' is not a seed; write whole numbers separated by commas, or a count (n=3)";
                return null;
            }
            seeds.Add(seed);
        }
        error = seeds.Count == 0 ? "at least one seed is required"
            : seeds.Distinct().Count() != seeds.Count ? "seeds must be distinct"
            : seeds.Any(s => s < 0) ? "seeds must not be negative" : null;
        return error is null ? seeds : null;
    }
}
