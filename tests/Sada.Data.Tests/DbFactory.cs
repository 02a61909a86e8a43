using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Tests;

/// <summary>Contexts on a <see cref="TempDatabase"/>, as the services take them.</summary>
public sealed class DbFactory(TempDatabase db) : IDbContextFactory<SadaDbContext>
{
    public SadaDbContext CreateDbContext() => db.Open();

    /// <summary>Registers a dataset with the given (empty) centers; returns its id.</summary>
    public int AddDataset(string name, params string[] centers)
    {
        using var context = db.Open();
        var dataset = new Dataset { Name = name, Centers = centers.Select(c => new Center { Name = c, ImageCount = 10 }).ToList() };
        context.Datasets.Add(dataset);
        context.SaveChanges();
        return dataset.Id;
    }
}
