using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data;

namespace Sada.Workbench.Tests.Health;

public class HealthApiTests : IClassFixture<WorkbenchFactory>
{
    readonly WorkbenchFactory _factory;
    public HealthApiTests(WorkbenchFactory factory) => _factory = factory;

    [Fact]
    public async Task Health_reports_torch_on_cpu_and_the_migrated_database()
    {
        using var client = _factory.CreateClient();
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("torch").GetProperty("loaded").GetBoolean());
        Assert.Equal("cpu", root.GetProperty("torch").GetProperty("device").GetString());
        using (var db = _factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext())
            Assert.Equal(db.Database.GetMigrations().Last(), root.GetProperty("database").GetProperty("migration").GetString());
        Assert.Equal(Path.GetFullPath(_factory.DataDirectory), root.GetProperty("dataDirectory").GetString());
        Assert.True(File.Exists(Path.Combine(_factory.DataDirectory, "sada.db")));
    }
}
