using Sada.Core.Training;

namespace Sada.Core.Algorithms;

/// <summary>An algorithm that reads the whole training set (not only its minibatches); the trainer attaches it once, before any step or resume.</summary>
public interface ITrainingSetAware
{
    void Attach(TrainingSet trainingSet);
}

/// <summary>
/// An algorithm with state outside its network and optimiser that later steps depend on (BoDA's running centroids):
/// checkpoints carry it after the optimiser's state, so a resumed run continues exactly.
/// </summary>
public interface IStatefulAlgorithm
{
    void SaveState(BinaryWriter writer);
    void LoadState(BinaryReader reader);
}
