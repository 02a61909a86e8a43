namespace Sada.Workbench.Datasets;

/// <summary>
/// The `Sada:Synthetic` section: the synthetic blood-cell set the workbench registers at its first start,
/// when the database holds no dataset, so that a new user can start a run at once.
/// </summary>
public sealed record SyntheticSeedOptions
{
    public const string Section = "Sada:Synthetic";

    public bool Enabled { get; init; } = true;
    public string Name { get; init; } = "synthetic-blood-cells";
    public int Centers { get; init; } = 4;
    public int PerCenter { get; init; } = 500;
    public int Size { get; init; } = 96;
    public int Seed { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Sada:Synthetic:Name must not be empty.");
        try { new Core.Synthetic.SyntheticSetOptions(Centers, PerCenter, Size, Seed).Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"Sada:Synthetic: {e.Message}."); }
    }
}
