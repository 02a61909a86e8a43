namespace Sada.Data.Entities;

public class RunLogLine
{
    public long Id { get; set; }
    public int RunId { get; set; }
    public DateTime At { get; set; }
    public required string Level { get; set; }
    public required string Message { get; set; }
}
