using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sada.Core.Algorithms;

public enum ContrastMode { Proxy, SupCon, None }

/// <summary>Where the backbone starts: ImageNet weights (the paper's), or random (from scratch).</summary>
public enum BackboneInit { ImageNet, Scratch }

/// <summary>
/// Whether BatchNorm keeps its running statistics during training. Auto: frozen when the backbone starts from
/// pretrained (ImageNet) statistics, as the method intends; trained when it starts from scratch, whose initial
/// statistics (0 and 1) describe nothing.
/// </summary>
public enum BatchNormPolicy { Auto, Always, Never }

/// <summary>
/// Every hyper-parameter of a run, declared once with the defaults of the authors' released code
/// (docs/SADA-METHOD.md), in the spirit of DomainBed's hparams registry. Ablations are values of this
/// record, never copies of code. Every run stores the whole record.
/// </summary>
public sealed record AlgorithmConfig
{
    /// <summary>A name from <see cref="AlgorithmRegistry"/>.</summary>
    public string Algorithm { get; init; } = "sada";
    /// <summary>
    /// A name from <see cref="Models.Backbones"/>: resnet18-imagenet (ImageNet weights built in, the default),
    /// resnet50 (the paper's; ImageNet only from a Weights file) or resnet18.
    /// </summary>
    public string Backbone { get; init; } = "resnet18-imagenet";
    /// <summary>
    /// ImageNet (the paper's start): resnet18-imagenet's built-in weights, or for the torchvision backbones the
    /// Weights file. Scratch: random initial weights.
    /// </summary>
    public BackboneInit Init { get; init; } = BackboneInit.ImageNet;
    /// <summary>A torchvision state dict (.pth) or .safetensors file with ImageNet weights, for resnet18 and resnet50.</summary>
    public string? Weights { get; init; }
    /// <summary>See <see cref="BatchNormPolicy"/>; <see cref="FreezesBatchNorm"/> is what it comes to.</summary>
    public BatchNormPolicy FreezeBatchNorm { get; init; } = BatchNormPolicy.Auto;
    public int ImageSize { get; init; } = 224;
    /// <summary>Cells per training center in each step.</summary>
    public int BatchPerCenter { get; init; } = 32;
    public int Steps { get; init; } = 8001;
    public int Stage1Steps { get; init; } = 4000;
    public int EvalEvery { get; init; } = 400;
    /// <summary>The training losses are reported every this many steps (and at the last step of each stage), each averaged over the steps since the previous report.</summary>
    public int LogEvery { get; init; } = 10;
    public double LearningRate { get; init; } = 5e-5;
    public double WeightDecay { get; init; }
    public int Seed { get; init; }
    /// <summary>Fraction of each training center kept for in-domain validation (model selection).</summary>
    public double HoldoutFraction { get; init; } = 0.2;

    // Input transform
    public double CropScaleMin { get; init; } = 0.7;
    public double CropScaleMax { get; init; } = 1.0;

    // Stain-based augmentation
    /// <summary>Number of stain clusters, and so of views per cell (the original and k-1 transfers).</summary>
    public int K { get; init; } = 3;
    /// <summary>False: the k-1 extra views are ColorJitter copies of the original (the "without SBA" ablation).</summary>
    public bool StainAugmentation { get; init; } = true;
    public int SnmfIterations { get; init; } = 10;
    public double SnmfLambda { get; init; } = 1e-4;
    public int KMeansRestarts { get; init; } = 5;
    public int KMeansMaxIterations { get; init; } = 100;
    public double JitterBrightness { get; init; } = 0.2;
    public double JitterContrast { get; init; } = 0.25;
    public double JitterSaturation { get; init; } = 0.25;
    public double JitterHue { get; init; } = 0.15;

    // Losses
    /// <summary>Weight of the local-alignment loss. The released registry ships 0.0 (LA off); the paper credits LA with a gain, so 1.0 here.</summary>
    public double LaWeight { get; init; } = 1.0;
    public ContrastMode Contrast { get; init; } = ContrastMode.Proxy;
    public double Temperature { get; init; } = 0.1;
    public int ProjectionDim { get; init; } = 128;
    public int LaHiddenDim { get; init; } = 2048;
    public int LaOutputDim { get; init; } = 128;
    /// <summary>False: cross-entropy from step 0, with the SBA views as extra samples (the "single stage" ablation).</summary>
    public bool TwoStage { get; init; } = true;

    // Baselines
    public double CoralWeight { get; init; } = 1.0;
    public double MixupAlpha { get; init; } = 0.2;
    /// <summary>Weight of MMD's penalty (the registry's mmd_gamma).</summary>
    public double MmdWeight { get; init; } = 1.0;

    // BoDA (the authors' registry defaults). Its start step and centroid refresh interval are fractions of Steps: the
    // registry's 3000 and 2000 are for its 8,001-step runs, so a shorter run starts and refreshes proportionally earlier.
    public double BodaNu { get; init; } = 0.5;
    public double BodaWeight { get; init; } = 0.1;
    public double BodaTemperature { get; init; } = 1.0;
    public double BodaMacroWeight { get; init; } = 1.0;
    public double BodaMomentum { get; init; } = 0.2;
    /// <summary>The distance loss starts at this fraction of Steps (3000 / 8001 in the registry).</summary>
    public double BodaStartFraction { get; init; } = 3000.0 / 8001;
    /// <summary>The centroids are recomputed every this fraction of Steps (2000 / 8001 in the registry).</summary>
    public double BodaUpdateFraction { get; init; } = 2000.0 / 8001;

    /// <summary>The first step with BoDA's distance loss.</summary>
    [JsonIgnore] public int BodaStartStep => (int)Math.Round(BodaStartFraction * Steps);
    /// <summary>Steps between centroid refreshes (at least 1).</summary>
    [JsonIgnore] public int BodaUpdateEvery => Math.Max(1, (int)Math.Round(BodaUpdateFraction * Steps));

    // SWAD (dense weight averaging), started only in stage 2
    public bool Swad { get; init; }
    public int SwadNConverge { get; init; } = 4;
    public int SwadNTolerance { get; init; } = 6;
    public double SwadToleranceRatio { get; init; } = 0.3;

    // Stage-1 collapse monitor (docs/stage1-collapse.md)
    /// <summary>Consecutive stage-1 steps at the contrastive loss's uniform value (on average) that make a collapse; 0 switches the monitor off.</summary>
    public int CollapseWindow { get; init; } = 50;
    /// <summary>How close (in nats) to its uniform value the contrastive loss must be, on average over the window, to count as at it.</summary>
    public double CollapseTolerance { get; init; } = 0.01;
    /// <summary>Fail the run, naming the step, when stage 1 collapses (off: the run goes on and is marked).</summary>
    public bool StopOnCollapse { get; init; }

    // Speed (docs/performance.md)
    /// <summary>
    /// The network's convolution weights stored channels-last (<see cref="Models.ChannelsLast"/>), so oneDNN convolves
    /// in NHWC without reordering to and from its blocked layout. The same arithmetic up to float rounding.
    /// </summary>
    public bool ChannelsLast { get; init; }
    /// <summary>
    /// Training forward passes under bfloat16 autocast on the CPU (<see cref="Runtime.CpuAutocast"/>): convolutions and
    /// matrix products in bfloat16, weights, losses and the optimiser in float32. Changes the numbers; only worth it on
    /// CPUs with native bfloat16 (AVX512_BF16, AMX). Off by default.
    /// </summary>
    public bool BFloat16 { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Whether BatchNorm's running statistics stay fixed during training, by <see cref="FreezeBatchNorm"/>.</summary>
    [JsonIgnore]
    public bool FreezesBatchNorm => FreezeBatchNorm switch
    {
        BatchNormPolicy.Always => true,
        BatchNormPolicy.Never => false,
        _ => Init == BackboneInit.ImageNet,
    };

    /// <summary>What the run page, the compare table and the results file print for the initialisation.</summary>
    [JsonIgnore]
    public string InitDescription => Init == BackboneInit.Scratch
        ? "from scratch"
        : Weights is not null ? $"ImageNet ({Path.GetFileName(Weights)})" : "ImageNet";

    /// <summary>The BatchNorm policy and what it comes to, e.g. "frozen (auto)".</summary>
    [JsonIgnore]
    public string BatchNormDescription =>
        $"{(FreezesBatchNorm ? "frozen" : "trained")} ({FreezeBatchNorm.ToString().ToLowerInvariant()})";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// A stored config. One stored before Init and FreezeBatchNorm existed keeps what it ran with: ImageNet exactly
    /// when it named a Weights file, and BatchNorm always frozen.
    /// </summary>
    public static AlgorithmConfig FromJson(string json)
    {
        var config = JsonSerializer.Deserialize<AlgorithmConfig>(json, Json) ?? throw new ArgumentException("empty config");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty(Json.PropertyNamingPolicy!.ConvertName(nameof(Init)), out _))
            config = config with { Init = config.Weights is null ? BackboneInit.Scratch : BackboneInit.ImageNet };
        if (!root.TryGetProperty(Json.PropertyNamingPolicy.ConvertName(nameof(FreezeBatchNorm)), out _))
            config = config with { FreezeBatchNorm = BatchNormPolicy.Always };
        return config;
    }

    /// <summary>Names of <see cref="AlgorithmRegistry.All"/>.</summary>
    public static IReadOnlyList<string> Algorithms => AlgorithmRegistry.Names;
    /// <summary>Names of <see cref="Models.Backbones.All"/>.</summary>
    public static IReadOnlyList<string> Backbones => Models.Backbones.Names;

    /// <summary>The command line's check of <see cref="Weights"/>: the file exists (a server checks its weight roots instead).</summary>
    public static string? WeightsFileExists(string path) => File.Exists(path) ? null : $"file not found: {path}";

    /// <summary>
    /// Every problem with the values, each keyed by the one field it is about; empty when the config is valid. Every
    /// number has an upper bound (docs/hardening-web.md lists them), so no request can ask for a two-billion-wide layer.
    /// </summary>
    /// <param name="checkWeights">The problem with a <see cref="Weights"/> path, or null when it is usable; by default <see cref="WeightsFileExists"/>.</param>
    public IReadOnlyList<ConfigError> Validate(Func<string, string?>? checkWeights = null)
    {
        var e = new List<ConfigError>();
        void Check(bool ok, string field, string message) { if (!ok) e.Add(new ConfigError(field, message)); }
        Check(Algorithms.Contains(Algorithm), nameof(Algorithm), $"must be one of {string.Join(", ", Algorithms)}, not '{Algorithm}'");
        Check(Backbones.Contains(Backbone), nameof(Backbone), $"must be one of {string.Join(", ", Backbones)}, not '{Backbone}'");
        if (Weights is not null && (checkWeights ?? WeightsFileExists)(Weights) is { } weightsProblem) e.Add(new ConfigError(nameof(Weights), weightsProblem));
        var backbone = Models.Backbones.All.FirstOrDefault(b => b.Name == Backbone);
        if (backbone is not null)
        {
            Check(!(Init == BackboneInit.ImageNet && !backbone.HasBuiltInImageNet && Weights is null), nameof(Init),
                $"{Backbone} has no built-in ImageNet weights: give Weights (a torchvision .pth or .safetensors file), choose resnet18-imagenet, or set Init to scratch");
            Check(Weights is null || (!backbone.HasBuiltInImageNet && Init == BackboneInit.ImageNet), nameof(Weights),
                backbone.HasBuiltInImageNet
                    ? $"{Backbone} takes its ImageNet weights from its package; leave Weights empty"
                    : "is only read with Init imagenet; clear it to train from scratch");
            // One message per field: the size's multiple is checked once the size is in range.
            Check(ImageSize is < 16 or > 1024 || ImageSize % backbone.SizeMultiple == 0, nameof(ImageSize),
                $"must be a multiple of {backbone.SizeMultiple} for {Backbone} ({backbone.SizeReason})");
        }
        Check(ImageSize is >= 16 and <= 1024, nameof(ImageSize), "must be between 16 and 1024 pixels");
        Check(BatchPerCenter is >= 2 and <= 1024, nameof(BatchPerCenter), "must be between 2 and 1024");
        Check(Steps >= 1, nameof(Steps), "must be at least 1");
        Check(Steps <= MaxSteps, nameof(Steps), $"must be at most {MaxSteps:N0}");
        Check(Stage1Steps >= 0 && Stage1Steps < Steps, nameof(Stage1Steps), "must be at least 0 and below Steps");
        Check(EvalEvery >= 1, nameof(EvalEvery), "must be at least 1");
        Check(EvalEvery <= MaxSteps, nameof(EvalEvery), $"must be at most {MaxSteps:N0}");
        Check(LogEvery >= 1, nameof(LogEvery), "must be at least 1");
        Check(LogEvery <= MaxSteps, nameof(LogEvery), $"must be at most {MaxSteps:N0}");
        Check(LearningRate is > 0 and < 1, nameof(LearningRate), "must be in (0, 1)");
        Check(WeightDecay >= 0, nameof(WeightDecay), "must not be negative");
        Check(WeightDecay <= 1, nameof(WeightDecay), "must be at most 1");
        Check(Seed >= 0, nameof(Seed), "must not be negative");
        Check(HoldoutFraction is > 0 and < 1, nameof(HoldoutFraction), "must be in (0, 1)");
        // One check per field, so a form can show each message next to the field it is about.
        Check(CropScaleMin > 0 && CropScaleMin <= CropScaleMax, nameof(CropScaleMin), "must be above 0 and at most CropScaleMax");
        Check(CropScaleMax is > 0 and <= 1, nameof(CropScaleMax), "must be in (0, 1]");
        Check(K is >= 1 and <= 16, nameof(K), "must be between 1 and 16");
        Check(SnmfIterations >= 1, nameof(SnmfIterations), "must be at least 1");
        Check(SnmfIterations <= 1000, nameof(SnmfIterations), "must be at most 1,000");
        Check(SnmfLambda >= 0, nameof(SnmfLambda), "must not be negative");
        Check(SnmfLambda <= 1, nameof(SnmfLambda), "must be at most 1");
        Check(KMeansRestarts >= 1, nameof(KMeansRestarts), "must be at least 1");
        Check(KMeansRestarts <= 100, nameof(KMeansRestarts), "must be at most 100");
        Check(KMeansMaxIterations >= 1, nameof(KMeansMaxIterations), "must be at least 1");
        Check(KMeansMaxIterations <= 10_000, nameof(KMeansMaxIterations), "must be at most 10,000");
        Check(JitterBrightness >= 0, nameof(JitterBrightness), "must not be negative");
        Check(JitterBrightness <= 1, nameof(JitterBrightness), "must be at most 1");
        Check(JitterContrast >= 0, nameof(JitterContrast), "must not be negative");
        Check(JitterContrast <= 1, nameof(JitterContrast), "must be at most 1");
        Check(JitterSaturation >= 0, nameof(JitterSaturation), "must not be negative");
        Check(JitterSaturation <= 1, nameof(JitterSaturation), "must be at most 1");
        Check(JitterHue is >= 0 and <= 0.5, nameof(JitterHue), "must be between 0 and 0.5");
        Check(LaWeight >= 0, nameof(LaWeight), "must not be negative");
        Check(LaWeight <= 100, nameof(LaWeight), "must be at most 100");
        // Below 0.01 the logits divided by it overflow float32's exponent in the contrastive losses' softmax.
        Check(Temperature > 0, nameof(Temperature), "must be positive");
        Check(Temperature <= 0 || Temperature is >= 0.01 and <= 10, nameof(Temperature), "must be between 0.01 and 10");
        Check(ProjectionDim >= 1, nameof(ProjectionDim), "must be at least 1");
        Check(ProjectionDim <= MaxWidth, nameof(ProjectionDim), $"must be at most {MaxWidth:N0}");
        Check(LaHiddenDim >= 1, nameof(LaHiddenDim), "must be at least 1");
        Check(LaHiddenDim <= MaxWidth, nameof(LaHiddenDim), $"must be at most {MaxWidth:N0}");
        Check(LaOutputDim >= 1, nameof(LaOutputDim), "must be at least 1");
        Check(LaOutputDim <= MaxWidth, nameof(LaOutputDim), $"must be at most {MaxWidth:N0}");
        Check(CoralWeight >= 0, nameof(CoralWeight), "must not be negative");
        Check(CoralWeight <= 100, nameof(CoralWeight), "must be at most 100");
        Check(MixupAlpha > 0, nameof(MixupAlpha), "must be positive");
        Check(MixupAlpha <= 10, nameof(MixupAlpha), "must be at most 10");
        Check(MmdWeight >= 0, nameof(MmdWeight), "must not be negative");
        Check(MmdWeight <= 100, nameof(MmdWeight), "must be at most 100");
        Check(BodaNu >= 0, nameof(BodaNu), "must not be negative");
        Check(BodaNu <= 10, nameof(BodaNu), "must be at most 10");
        Check(BodaWeight >= 0, nameof(BodaWeight), "must not be negative");
        Check(BodaWeight <= 100, nameof(BodaWeight), "must be at most 100");
        Check(BodaTemperature > 0, nameof(BodaTemperature), "must be positive");
        Check(BodaTemperature <= 0 || BodaTemperature is >= 0.01 and <= 100, nameof(BodaTemperature), "must be between 0.01 and 100");
        Check(BodaMacroWeight >= 0, nameof(BodaMacroWeight), "must not be negative");
        Check(BodaMacroWeight <= 100, nameof(BodaMacroWeight), "must be at most 100");
        Check(BodaMomentum is >= 0 and < 1, nameof(BodaMomentum), "must be in [0, 1)");
        Check(BodaStartFraction is >= 0 and <= 1, nameof(BodaStartFraction), "must be in [0, 1]");
        Check(BodaUpdateFraction is > 0 and <= 1, nameof(BodaUpdateFraction), "must be in (0, 1]");
        Check(SwadNConverge >= 1, nameof(SwadNConverge), "must be at least 1");
        Check(SwadNConverge <= 1000, nameof(SwadNConverge), "must be at most 1,000");
        Check(SwadNTolerance >= 1, nameof(SwadNTolerance), "must be at least 1");
        Check(SwadNTolerance <= 1000, nameof(SwadNTolerance), "must be at most 1,000");
        Check(SwadToleranceRatio >= 0, nameof(SwadToleranceRatio), "must not be negative");
        Check(SwadToleranceRatio <= 10, nameof(SwadToleranceRatio), "must be at most 10");
        Check(CollapseWindow is >= 0 and <= MaxSteps, nameof(CollapseWindow), $"must be between 0 (off) and {MaxSteps:N0}");
        Check(CollapseTolerance is >= 0 and <= 1, nameof(CollapseTolerance), "must be between 0 and 1 (nats)");
        return e;
    }

    /// <summary>Most steps a run may take: 125 times the method's 8,001.</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Widest head layer (projection, LA hidden and output): four times the method's widest, 2,048.</summary>
    public const int MaxWidth = 8192;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid field.</summary>
    public AlgorithmConfig EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid config: " + string.Join("; ", errors.Select(x => $"{x.Field} {x.Message}")));
        return this;
    }
}

public sealed record ConfigError(string Field, string Message);
