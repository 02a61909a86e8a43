using System.Text.Json;
using Sada.Core.Algorithms;
using Sada.Core.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>The trainer's own state next to the weights: enough to resume exactly.</summary>
public sealed record TrainerState(int Step, int BestStep, double BestValidation, IReadOnlyList<EvaluationRecord> Evaluations, string ConfigJson = "{}", string HeldOut = "");

/// <summary>
/// A resumable checkpoint: the network (weights and BatchNorm buffers), the optimizer's state, the step, and the
/// trainer's state. Every random draw of a run is a function of (seed, step) (see <see cref="SeedMix"/>), so the
/// step is the whole RNG state. Written to a temporary file and renamed, so a crash mid-write leaves the previous
/// checkpoint intact.
/// </summary>
public static class Checkpoint
{
    const string Magic = "SADA-CHECKPOINT";
    const int Version = 1;

    public static void Save(string path, IAlgorithm algorithm, TrainerState state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(algorithm.Name);
            writer.Write(JsonSerializer.Serialize(state, AlgorithmConfig.Json));
            using (ChannelsLast.StoredContiguously(StateTensors(algorithm)))
            {
                algorithm.Network.save(writer);
                Optimizer(algorithm).save_state_dict(writer);
            }
            (algorithm as IStatefulAlgorithm)?.SaveState(writer);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static TrainerState Load(string path, IAlgorithm algorithm)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            var name = ReadHeader(reader, path);
            if (name != algorithm.Name) throw new InvalidDataException($"{path} holds a '{name}' run, not '{algorithm.Name}'.");
            var state = JsonSerializer.Deserialize<TrainerState>(reader.ReadString(), AlgorithmConfig.Json)
                        ?? throw new InvalidDataException($"{path} has no trainer state.");
            using (ChannelsLast.StoredContiguously(StateTensors(algorithm)))
            {
                algorithm.Network.load(reader);
                Optimizer(algorithm).load_state_dict(reader);
            }
            (algorithm as IStatefulAlgorithm)?.LoadState(reader);
            return state;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is truncated.");
        }
    }

    /// <summary>Checks the file's magic and version and returns the algorithm's name that follows them.</summary>
    static string ReadHeader(BinaryReader reader, string path)
    {
        if (reader.ReadString() != Magic) throw new InvalidDataException($"{path} is not a Sada checkpoint.");
        int version = reader.ReadInt32();
        if (version != Version) throw new InvalidDataException($"{path} is a version {version} checkpoint; this build reads version {Version}.");
        return reader.ReadString();
    }

    /// <summary>
    /// The network alone from a resumable checkpoint (<see cref="Save"/>'s file), skipping the trainer's state and leaving the
    /// optimizer's unread: the last step's weights, for downloads.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this version, or is truncated.</exception>
    public static void LoadNetwork(string path, nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        try
        {
            ReadHeader(reader, path);
            reader.ReadString(); // the trainer's state
            network.load(reader);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path} is truncated.");
        }
    }

    /// <summary>Weights only (no optimizer): the best-by-validation model, for prediction and t-SNE.</summary>
    public static void SaveWeights(string path, IAlgorithm algorithm)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        using (ChannelsLast.StoredContiguously(algorithm.Network.state_dict().Values))
            algorithm.Network.save(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// The network's parameters and buffers and the optimizer's per-parameter state: with <see cref="AlgorithmConfig.ChannelsLast"/>
    /// some are stored channels-last, which TorchSharp's save and load cannot take as they are.
    /// </summary>
    static IEnumerable<Tensor> StateTensors(IAlgorithm algorithm)
    {
        foreach (var t in algorithm.Network.state_dict().Values) yield return t;
        foreach (var state in Optimizer(algorithm).state_dict().State)
            if (state is Adam.State adam)
                foreach (var t in new[] { adam.exp_avg, adam.exp_avg_sq, adam.max_exp_avg_sq })
                    if (t is not null) yield return t;
    }

    static OptimizerHelper Optimizer(IAlgorithm algorithm) =>
        algorithm.Optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"The optimizer of '{algorithm.Name}' cannot save its state ({algorithm.Optimizer.GetType().Name}).");
}
