namespace Sada.Data.Entities;

/// <summary>
/// The training losses of one logged step (every N steps, <c>LogEvery</c>), separate from the evaluation rows: a compact
/// row of the algorithm's named losses, averaged over the steps since the previous logged one.
/// </summary>
public class RunStepLosses
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public int Step { get; set; }
    /// <summary>1 (feature learning) or 2 (classification); 2 for single-stage runs.</summary>
    public int Stage { get; set; }
    /// <summary>JSON {"name": value, ...} in the algorithm's own names, float precision.</summary>
    public string LossesJson { get; set; } = "{}";
}
