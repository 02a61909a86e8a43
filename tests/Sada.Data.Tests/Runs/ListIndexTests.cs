using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Tests.Runs;

/// <summary>The list queries read an index in their order instead of sorting every row (SQLite's query plan says which).</summary>
public sealed class ListIndexTests : IDisposable
{
    readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    List<string> Plan(IQueryable query)
    {
        using var db = _db.Open();
        var sql = query.ToQueryString();
        // ToQueryString declares parameters with .param set; a plan needs the statement alone.
        var statement = string.Join("\n", sql.Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + statement;
        foreach (var line in sql.Split('\n').Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Split(' ', 2);
            var p = command.CreateParameter();
            p.ParameterName = parts[0];
            p.Value = parts[1].Trim().Trim('\'');
            command.Parameters.Add(p);
        }
        var rows = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) rows.Add(reader.GetString(3));
        return rows;
    }

    public static TheoryData<string> Filters => new() { "none", "status", "dataset", "study" };

    [Theory]
    [MemberData(nameof(Filters))]
    public void The_runs_list_reads_an_index_in_its_order(string filter)
    {
        using var db = _db.Open();
        IQueryable<Run> runs = db.Runs.AsNoTracking();
        runs = filter switch
        {
            "status" => runs.Where(r => r.Status == RunStatus.Queued),
            "dataset" => runs.Where(r => r.DatasetId == 1),
            "study" => runs.Where(r => r.StudyId == 1),
            _ => runs,
        };
        var plan = Plan(runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(200).Select(r => new { r.Id, Dataset = r.Dataset!.Name }));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE"));
        Assert.Contains(plan, step => step.Contains("INDEX IX_Runs_"));
    }

    [Fact]
    public void The_studies_list_reads_an_index_in_its_order()
    {
        using var db = _db.Open();
        var plan = Plan(db.Studies.AsNoTracking().OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE"));
    }
}
