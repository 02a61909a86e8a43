using System.Diagnostics;
using System.Runtime.InteropServices;
using Sada.Core.Algorithms;
using Sada.Core.Data;
using Sada.Core.Evaluation;
using Sada.Core.Imaging;
using Sada.Core.Runtime;
using Sada.Core.Training.Swad;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Training;

public sealed record TrainerOptions
{
    /// <summary>Where last.ckpt (resumable) and best.weights (best by validation) go; null keeps nothing on disk.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>Continue from CheckpointDirectory/last.ckpt when it exists.</summary>
    public bool Resume { get; init; } = true;
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(2);
    public int EvalBatchSize { get; init; } = 16;
    /// <summary>Memory for decoded images (Sada:Data:CacheMegabytes); images beyond it are read and decoded again when used.</summary>
    public int CacheMegabytes { get; init; } = Configuration.DataOptions.DefaultCacheMegabytes;
    /// <summary>Minibatches made on background threads ahead of the step being trained; 0 makes each when its step starts.</summary>
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>t-SNE of the backbone features at the end of stage 1 and at the end of the run; null: none.</summary>
    public EmbeddingOptions? Embedding { get; init; }
}

/// <summary>The outcome of one leave-one-center-out run.</summary>
public sealed record TrainingResult(
    string HeldOut,
    AlgorithmConfig Config,
    IReadOnlyList<string> Classes,
    IReadOnlyList<string> TrainingCenters,
    IReadOnlyList<EvaluationRecord> Evaluations,
    int SelectedStep,
    HeldOutEvaluation Selected,
    HeldOutEvaluation Last,
    IReadOnlyList<UnreadableImage> Unreadable,
    HeldOutEvaluation? Swad = null,
    string? SwadNote = null,
    IReadOnlyList<EmbeddingRecord>? Embeddings = null,
    RunTimings? Timings = null,
    StageOneCollapsed? Collapse = null);

/// <summary>
/// Where a run's wall-clock time went, in seconds: decoding every image once, building (or resuming) the network, the
/// steps (<paramref name="Steps"/> includes <paramref name="BatchWait"/>, the time steps waited for their minibatch),
/// evaluations with their checkpoints, t-SNE, and SWAD's final evaluation.
/// </summary>
public sealed record RunTimings(double Decode, double Build, double Steps, double BatchWait, double Evaluation, double Embedding, double Swad, double Total,
    int StepsRun, long TrainImages);

/// <summary>
/// Trains one algorithm with one center held out: per-center balanced minibatches, an evaluation every
/// EvalEvery steps (and at the last step) on the held-out center and on the training centers' validation
/// splits, model selection by validation accuracy, resumable checkpoints. Knows nothing of any method: the
/// algorithm comes from <paramref name="createAlgorithm"/> (number of classes -> algorithm).
/// </summary>
public sealed class Trainer(
    MultiCenterDataset data,
    string heldOut,
    AlgorithmConfig config,
    Func<int, IAlgorithm> createAlgorithm,
    Device device,
    TrainerOptions? options = null,
    IProgress<TrainingEvent>? progress = null)
{
    readonly TrainerOptions _options = options ?? new TrainerOptions();

    public string? LastCheckpointPath => _options.CheckpointDirectory is null ? null : Path.Combine(_options.CheckpointDirectory, "last.ckpt");
    public string? BestWeightsPath => _options.CheckpointDirectory is null ? null : Path.Combine(_options.CheckpointDirectory, "best.weights");

    /// <summary>The run's phases: data, network (fresh or resumed), the steps with their evaluations, then SWAD and the result.</summary>
    public TrainingResult Run(CancellationToken cancellation = default)
    {
        config.EnsureValid();
        var total = Stopwatch.StartNew();
        var (split, cache) = PrepareData(cancellation);
        double decodeSeconds = total.Elapsed.TotalSeconds;
        using var algorithm = BuildAlgorithm();
        if (algorithm is ITrainingSetAware aware) aware.Attach(TrainingSetOf(split, cache));
        var loop = new LoopState(ResumeOrStart(algorithm), EmbeddingCells(cache), config);
        loop.Timings = (decodeSeconds, total.Elapsed.TotalSeconds - decodeSeconds, total);
        using var valley = config.Swad ? new LossValley(config.SwadNConverge, config.SwadNTolerance, config.SwadToleranceRatio) : null;
        if (valley is not null && loop.FirstStep > 0)
            Log("warning", "SWAD restarts its loss valley at the resumed step: segments before the stop are not in checkpoints.");
        if (loop.FirstStep < config.Steps) algorithm.Network.train();

        var sampler = new BalancedBatchSampler(split.Training, config.BatchPerCenter, config.Seed);
        using var pipeline = new BatchPipeline(sampler.At, (cells, step) => TrainingBatches.Make(cells, cache, config, step), config.Steps, _options.PrefetchBatches);
        for (int step = loop.FirstStep; step < config.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            TrainStep(algorithm, pipeline, split, step, loop, valley, cancellation);
            var evaluationStart = loop.Clock.Elapsed;
            if (step % config.EvalEvery == 0 || step == config.Steps - 1)
                EvaluateAndCheckpoint(algorithm, split, cache, step, loop, valley);
            loop.EvaluationSeconds += (loop.Clock.Elapsed - evaluationStart).TotalSeconds;
            var embeddingStart = loop.Clock.Elapsed;
            if (_options.Embedding is { AtEndOfStage1: true } && algorithm.StageAt(step) == 1 && step + 1 < config.Steps && algorithm.StageAt(step + 1) == 2)
                Embed(algorithm, loop.EmbedCells, cache, step, EmbeddingRecord.Stage1, loop.Embeddings, cancellation);
            loop.EmbeddingSeconds += (loop.Clock.Elapsed - embeddingStart).TotalSeconds;
        }
        var lastEmbeddingStart = loop.Clock.Elapsed;
        if (_options.Embedding is { AtEnd: true })
            Embed(algorithm, loop.EmbedCells, cache, config.Steps - 1, EmbeddingRecord.Final, loop.Embeddings, cancellation);
        loop.EmbeddingSeconds += (loop.Clock.Elapsed - lastEmbeddingStart).TotalSeconds;
        loop.WaitSeconds = pipeline.Waited.TotalSeconds;
        if (loop.Evaluations.Count == 0) throw new InvalidOperationException("The run made no evaluation.");
        loop.Segment?.Dispose();
        return Result(algorithm, split, cache, loop, valley);
    }

    /// <summary>The split, and every image it uses decoded once; unreadable images are left out with a warning.</summary>
    (LeaveOneCenterOutSplit Split, BoundedImageCache Cache) PrepareData(CancellationToken cancellation)
    {
        var split = LeaveOneCenterOut.Split(data, heldOut, config.HoldoutFraction, config.Seed);
        var cache = DecodeAll(split, cancellation);
        return (WithoutUnreadable(split, cache), cache);
    }

    IAlgorithm BuildAlgorithm()
    {
        // The initial weights are a function of the seed: no other thread may draw in between (GlobalRandom).
        var algorithm = GlobalRandom.Exclusive(() =>
        {
            torch.manual_seed(config.Seed);
            return createAlgorithm(data.Classes.Count);
        });
        algorithm.Network.to(device);
        return algorithm;
    }

    /// <summary>
    /// Every training image, center by center in eval batches, for an algorithm that reads the whole set; from the training
    /// copy the cache keeps (shorter side 1.15 x size), resized as evaluation resizes.
    /// </summary>
    TrainingSet TrainingSetOf(LeaveOneCenterOutSplit split, BoundedImageCache cache)
    {
        IEnumerable<Tensor> Batches(int center)
        {
            var cells = split.Training[center].Train;
            for (int start = 0; start < cells.Count; start += _options.EvalBatchSize)
            {
                var chunk = cells.Skip(start).Take(_options.EvalBatchSize).Select(c => cache.Get(c.Path, ImageUse.Training).Pixels).ToList();
                yield return CellTransforms.EvalBatch(chunk, config.ImageSize).to(device);
            }
        }
        return new TrainingSet(split.Training.Select(t => t.Center).ToList(), split.Training.Select(t => t.Name).ToList(),
            split.Training.Select(t => (IReadOnlyList<int>)t.Train.Select(c => c.Label).ToList()).ToList(), Batches, Log);
    }

    /// <summary>The state of last.ckpt when resuming is asked for and it exists, else a fresh start.</summary>
    TrainerState ResumeOrStart(IAlgorithm algorithm)
    {
        if (!_options.Resume || LastCheckpointPath is not { } last || !File.Exists(last))
            return new TrainerState(-1, -1, double.NegativeInfinity, []);
        var state = Checkpoint.Load(last, algorithm);
        EnsureSameRun(last, state);
        Log("info", $"Resumed from {last} at step {state.Step + 1}.");
        progress?.Report(new TrainingResumed(state.Step + 1, state.Evaluations));
        return state;
    }

    /// <summary>One update of the algorithm on the step's balanced minibatch, its losses summed for the next evaluation and the next logged step.</summary>
    void TrainStep(IAlgorithm algorithm, BatchPipeline pipeline, LeaveOneCenterOutSplit split, int step, LoopState loop, LossValley? valley,
        CancellationToken cancellation)
    {
        var stepStart = loop.Clock.Elapsed;
        var waitedBefore = pipeline.Waited;
        IReadOnlyDictionary<string, double> losses;
        using (var prepared = pipeline.Take(step))
        using (var scope = NewDisposeScope())
        {
            loop.WaitSinceProgress += pipeline.Waited - waitedBefore;
            var batch = prepared.On(device);
            // A draw inside the update from the global generator is seeded from (seed, step), and no other thread draws
            // in between (GlobalRandom): the step is the whole RNG state of a run.
            losses = GlobalRandom.Exclusive(() =>
            {
                torch.manual_seed(SeedMix.Of(config.Seed, step, -1));
                return algorithm.Update(batch, step, cancellation);
            });
        }
        foreach (var (name, value) in losses)
        {
            if (!double.IsFinite(value)) throw new TrainingDivergedException(step, name, value);
            var (sum, n) = loop.LossSums.GetValueOrDefault(name);
            loop.LossSums[name] = (sum + value, n + 1);
            var (logSum, logN) = loop.LogSums.GetValueOrDefault(name);
            loop.LogSums[name] = (logSum + value, logN + 1);
        }
        int stage = algorithm.StageAt(step);
        // Every LogEvery steps, and at the last step of a stage and of the run, so that a logged window never spans the switch.
        if (step % config.LogEvery == 0 || step == config.Steps - 1 || algorithm.StageAt(step + 1) != stage)
        {
            var logged = new TrainingStepLosses(step, stage, loop.LogSums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Steps));
            loop.LogSums.Clear();
            progress?.Report(logged);
        }
        WatchCollapse(algorithm, step, loop);
        // SWAD averages every step's weights, from stage 2 on (the released config).
        if (valley is not null && algorithm.StageAt(step) == 2) (loop.Segment ??= new WeightAverage()).Add(algorithm.Network, step);
        loop.TrainSeconds += (loop.Clock.Elapsed - stepStart).TotalSeconds;
        loop.TrainImages += (long)config.BatchPerCenter * split.Training.Count;

        if (loop.Clock.Elapsed - loop.LastProgress >= _options.ProgressInterval || step == config.Steps - 1)
        {
            loop.LastProgress = loop.Clock.Elapsed;
            double perStep = loop.TrainSeconds / (step - loop.FirstStep + 1);
            double waitMs = loop.WaitSinceProgress.TotalMilliseconds / Math.Max(1, step - loop.LastProgressStep);
            loop.LastProgressStep = step;
            loop.WaitSinceProgress = TimeSpan.Zero;
            progress?.Report(new TrainingProgress(step, config.Steps, algorithm.StageAt(step), loop.ImagesPerSecond,
                loop.Clock.Elapsed.TotalSeconds, perStep * (config.Steps - step - 1), losses, waitMs));
        }
    }

    /// <summary>
    /// Feeds the algorithm's collapse signal (when it has one) to the monitor; tells the listener once when stage 1 has sat at
    /// the uniform value for the window, and fails the run then when the config's StopOnCollapse asks for it.
    /// </summary>
    void WatchCollapse(IAlgorithm algorithm, int step, LoopState loop)
    {
        if (algorithm is not ICollapseSignal signal || loop.Collapse.Observe(step, signal.LastCollapseReading) is not { } collapsed) return;
        progress?.Report(collapsed);
        if (config.StopOnCollapse) throw new StageOneCollapsedException(collapsed);
    }

    /// <summary>
    /// Held-out and validation metrics with the losses averaged since the last evaluation; best weights by validation;
    /// then last.ckpt, written before anyone is told, so a listener never stores an evaluation that a crash would replay.
    /// </summary>
    void EvaluateAndCheckpoint(IAlgorithm algorithm, LeaveOneCenterOutSplit split, BoundedImageCache cache, int step,
        LoopState loop, LossValley? valley)
    {
        // Each loss is averaged over the steps that reported it: a window spanning the stage switch has stage-1 and
        // stage-2 terms, and dividing by every step would understate both.
        var record = Evaluate(algorithm, split, cache, step, loop.LossSums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Steps),
            loop.ImagesPerSecond, loop.Clock.Elapsed.TotalSeconds);
        loop.LossSums.Clear();
        loop.Evaluations.Add(record);
        if (valley is not null && loop.Segment is not null)
        {
            loop.Segment.EndLoss = record.ValidationLoss;
            valley.Update(loop.Segment);
            loop.Segment = null;
        }
        if (record.ValidationAccuracy > loop.BestValidation)
        {
            loop.BestValidation = record.ValidationAccuracy;
            loop.BestStep = step;
            if (BestWeightsPath is { } best) Checkpoint.SaveWeights(best, algorithm);
        }
        if (LastCheckpointPath is { } path)
            Checkpoint.Save(path, algorithm, new TrainerState(step, loop.BestStep, loop.BestValidation, loop.Evaluations, config.ToJson(), split.HeldOutName));
        progress?.Report(record);
    }

    /// <summary>The selected (best validation) and last evaluations, and SWAD's averaged weights evaluated when it ran.</summary>
    TrainingResult Result(IAlgorithm algorithm, LeaveOneCenterOutSplit split, BoundedImageCache cache, LoopState loop, LossValley? valley)
    {
        var evaluations = loop.Evaluations;
        var swadStart = loop.Clock.Elapsed;
        HeldOutEvaluation? swad = null;
        string? swadNote = null;
        if (valley is not null && (valley.IsConverged || evaluations.Any(e => e.Stage == 2)))
        {
            var (average, note) = valley.Final();
            average.CopyTo(algorithm.Network);
            swadNote = note;
            Log("info", note);
            algorithm.Network.eval();
            swad = HeldOutEvaluation.From(Classify(algorithm, split.Test, cache).Metrics, data.Classes);
            if (_options.CheckpointDirectory is { } dir) Checkpoint.SaveWeights(Path.Combine(dir, "swad.weights"), algorithm);
        }
        var selected = evaluations.FirstOrDefault(e => e.Step == loop.BestStep) ?? evaluations[^1];
        var (decode, build, total) = loop.Timings;
        var timings = new RunTimings(decode, build, loop.TrainSeconds, loop.WaitSeconds, loop.EvaluationSeconds, loop.EmbeddingSeconds,
            (loop.Clock.Elapsed - swadStart).TotalSeconds, total.Elapsed.TotalSeconds, config.Steps - loop.FirstStep, loop.TrainImages);
        return new TrainingResult(split.HeldOutName, config, data.Classes, split.Training.Select(t => t.Name).ToList(),
            evaluations, selected.Step, selected.HeldOut, evaluations[^1].HeldOut, cache.Unreadable.ToList(), swad, swadNote, loop.Embeddings, timings,
            loop.Collapse.Collapsed);
    }

    /// <summary>What the step loop carries from one step to the next: model selection, loss sums, speed, SWAD's segment.</summary>
    sealed class LoopState(TrainerState resumed, IReadOnlyList<CellSample> embedCells, AlgorithmConfig config)
    {
        public int FirstStep { get; } = resumed.Step + 1;
        public List<EvaluationRecord> Evaluations { get; } = resumed.Evaluations.ToList();
        public int BestStep { get; set; } = resumed.BestStep;
        public double BestValidation { get; set; } = resumed.BestValidation;
        public IReadOnlyList<CellSample> EmbedCells { get; } = embedCells;
        public List<EmbeddingRecord> Embeddings { get; } = [];
        public Dictionary<string, (double Sum, int Steps)> LossSums { get; } = [];
        /// <summary>Each loss's sum and the steps that reported it since the last logged step (<see cref="TrainingStepLosses"/>).</summary>
        public Dictionary<string, (double Sum, int Steps)> LogSums { get; } = [];
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public TimeSpan LastProgress { get; set; } = TimeSpan.Zero;
        public int LastProgressStep { get; set; } = resumed.Step;
        /// <summary>Time steps waited for their batch since the last progress report.</summary>
        public TimeSpan WaitSinceProgress { get; set; }
        public double WaitSeconds { get; set; }
        public double EvaluationSeconds { get; set; }
        public double EmbeddingSeconds { get; set; }
        /// <summary>Decode and build seconds, and the clock started with the run.</summary>
        public (double Decode, double Build, Stopwatch Total) Timings { get; set; }
        public double TrainSeconds { get; set; }
        public long TrainImages { get; set; }
        public double ImagesPerSecond => TrainImages / Math.Max(TrainSeconds, 1e-9);
        public WeightAverage? Segment { get; set; }
        /// <summary>Stage 1's collapse window; not checkpointed, so a resumed run counts it again.</summary>
        public CollapseMonitor Collapse { get; } = new(config.CollapseWindow);
    }

    /// <summary>The stratified t-SNE sample over every center (held-out included), among the readable cells.</summary>
    List<CellSample> EmbeddingCells(BoundedImageCache cache)
    {
        if (_options.Embedding is not { } options) return [];
        var readable = data.Samples.Where(s => cache.Contains(s.Path, ImageUse.Evaluation) || cache.Contains(s.Path, ImageUse.Training)).ToList();
        return FeatureEmbedding.Sample(readable, options).Select(i => readable[i]).ToList();
    }

    /// <summary>A t-SNE that fails is a warning, never the end of the run: the run's metrics matter more.</summary>
    void Embed(IAlgorithm algorithm, IReadOnlyList<CellSample> cells, BoundedImageCache cache, int step, string label,
        List<EmbeddingRecord> embeddings, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        try
        {
            // Held-out and validation cells as evaluation sees them; training cells resized from their reduced training form.
            var record = FeatureEmbedding.Embed(algorithm, data, cells,
                c => cache.Get(c.Path, cache.Contains(c.Path, ImageUse.Evaluation) ? ImageUse.Evaluation : ImageUse.Training).Pixels, config.ImageSize, device, _options.Embedding!, step, label, _options.EvalBatchSize);
            embeddings.Add(record);
            Log("info", $"t-SNE '{label}' at step {step}: {cells.Count} cells in {record.Seconds:F1} s, KL {record.Kl:F3}, " +
                        $"center k-NN accuracy {record.MixingScore:P1} (chance {record.MixingChance:P1}), class k-NN accuracy {record.ClassSeparability:P1}.");
            progress?.Report(record);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ExternalException)
        {
            Log("warning", $"t-SNE '{label}' at step {step} failed: {e.Message}");
        }
    }

    /// <summary>A checkpoint resumes only the run that wrote it: same held-out center, same config.</summary>
    void EnsureSameRun(string path, TrainerState state)
    {
        if (!string.Equals(state.HeldOut, heldOut, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{path} belongs to a run holding out '{state.HeldOut}', not '{heldOut}'.");
        var saved = AlgorithmConfig.FromJson(state.ConfigJson);
        var differing = typeof(AlgorithmConfig).GetProperties()
            .Where(p => !Equals(p.GetValue(saved), p.GetValue(config))).Select(p => p.Name).ToList();
        if (differing.Count > 0)
            throw new InvalidOperationException($"{path} was written with a different config ({string.Join(", ", differing)} differ); " +
                                                "start the run in another checkpoint folder or with the same settings.");
    }

    /// <summary>
    /// Training cells first, kept at their crops' source size, then validation and held-out cells at evaluation's size,
    /// as many as the budget holds (training cells are read most often).
    /// </summary>
    BoundedImageCache DecodeAll(LeaveOneCenterOutSplit split, CancellationToken cancellation)
    {
        var cache = BoundedImageCache.WithMegabytes(config.ImageSize, _options.CacheMegabytes);
        var images = split.Training.SelectMany(t => t.Train).Select(s => (s.Path, ImageUse.Training))
            .Concat(split.Training.SelectMany(t => t.Validation).Concat(split.Test).Select(s => (s.Path, ImageUse.Evaluation))).ToList();
        Log("info", $"Decoding {images.Count} images.");
        var clock = Stopwatch.StartNew();
        cache.Load(images, new InlineProgress<(int Done, int Total)>(p =>
            progress?.Report(new TrainingLog("progress", $"Decoded {p.Done}/{p.Total} images."))), cancellation);
        Log("info", $"Decoded {cache.Count} images in {clock.Elapsed.TotalSeconds:F1} s; {cache.KeptCount} kept in memory " +
                    $"({cache.Bytes / 1048576.0:F0} of {_options.CacheMegabytes} MiB), the others decoded again when used.");
        foreach (var bad in cache.Unreadable) Log("warning", $"Skipped unreadable image {bad.Path}: {bad.Reason}");
        return cache;
    }

    static LeaveOneCenterOutSplit WithoutUnreadable(LeaveOneCenterOutSplit split, BoundedImageCache cache)
    {
        if (cache.Unreadable.Count == 0) return split;
        List<CellSample> Keep(IEnumerable<CellSample> s, ImageUse use) => s.Where(x => cache.Contains(x.Path, use)).ToList();
        var training = split.Training.Select(t => t with { Train = Keep(t.Train, ImageUse.Training), Validation = Keep(t.Validation, ImageUse.Evaluation) }).ToList();
        foreach (var t in training)
            if (t.Train.Count == 0) throw new InvalidOperationException($"Training center '{t.Name}' has no readable image.");
        var test = Keep(split.Test, ImageUse.Evaluation);
        if (test.Count == 0) throw new InvalidOperationException($"Held-out center '{split.HeldOutName}' has no readable image.");
        return split with { Training = training, Test = test };
    }

    EvaluationRecord Evaluate(IAlgorithm algorithm, LeaveOneCenterOutSplit split, BoundedImageCache cache, int step,
        Dictionary<string, double> losses, double imagesPerSecond, double elapsed)
    {
        algorithm.Network.eval();
        try
        {
            var heldOut = HeldOutEvaluation.From(Classify(algorithm, split.Test, cache).Metrics, data.Classes);
            var validation = new Dictionary<string, double>();
            var validationLoss = new List<double>();
            foreach (var center in split.Training)
            {
                if (center.Validation.Count == 0) continue;
                var (metrics, loss) = Classify(algorithm, center.Validation, cache);
                validation[center.Name] = metrics.Accuracy;
                validationLoss.Add(loss);
            }
            // DomainBed's training-domain validation: the mean of the per-center accuracies (and losses, for SWAD).
            double mean = validation.Count == 0 ? 0 : validation.Values.Average();
            double meanLoss = validationLoss.Count == 0 ? double.NaN : validationLoss.Average();
            return new EvaluationRecord(step, algorithm.StageAt(step), losses, heldOut, validation, mean, meanLoss, imagesPerSecond, elapsed);
        }
        finally
        {
            algorithm.Network.train();
        }
    }

    /// <summary>
    /// Predictions for <paramref name="cells"/>, with their mean cross-entropy, streamed: one batch of images is made (read
    /// and decoded again when the cache does not keep it) on a background thread while the network classifies the one before.
    /// </summary>
    (ClassificationMetrics Metrics, double Loss) Classify(IAlgorithm algorithm, IReadOnlyList<CellSample> cells, BoundedImageCache cache)
    {
        var truth = new long[cells.Count];
        var predicted = new long[cells.Count];
        double lossSum = 0;
        using var noGrad = torch.no_grad();
        using var batches = new EvaluationBatches(cells, _options.EvalBatchSize, c => cache.Get(c.Path, ImageUse.Evaluation).Pixels, config.ImageSize);
        for (int start = 0; start < cells.Count; start += _options.EvalBatchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = cells.Skip(start).Take(_options.EvalBatchSize).ToList();
            using var images = batches.Take(start);
            var x = images.to(device);
            var y = tensor(chunk.Select(c => (long)c.Label).ToArray()).to(device);
            var logits = algorithm.Predict(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            var p = logits.argmax(1).cpu().data<long>().ToArray();
            for (int i = 0; i < chunk.Count; i++)
            {
                truth[start + i] = chunk[i].Label;
                predicted[start + i] = p[i];
            }
        }
        return (ClassificationMetrics.Compute(truth, predicted, data.Classes.Count), lossSum / Math.Max(1, cells.Count));
    }

    void Log(string level, string message) => progress?.Report(new TrainingLog(level, message));

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to a sync context).</summary>
    sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
