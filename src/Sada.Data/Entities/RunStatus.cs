namespace Sada.Data.Entities;

public enum RunStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}
