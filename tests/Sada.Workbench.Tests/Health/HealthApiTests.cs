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
        using var client = _factory.SignedInClient();
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
        Assert.Equal(Path.Combine(Path.GetFullPath(_factory.DataDirectory), "sada.db"), root.GetProperty("database").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Anonymous_and_non_admin_callers_see_the_status_but_no_server_path()
    {
        using var anonymous = _factory.CreateClient();
        using var reviewer = _factory.SignedInClient(Sada.Workbench.Accounts.WorkbenchRoles.Reviewer);
        foreach (var client in new[] { anonymous, reviewer })
        {
            var response = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            using var json = JsonDocument.Parse(text);
            Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
            Assert.DoesNotContain(Path.GetFullPath(_factory.DataDirectory), text);
            Assert.DoesNotContain(Path.GetFullPath(_factory.DataDirectory).Replace("/", "\\/"), text);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("dataDirectory").ValueKind);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("torch").GetProperty("nativeLibrary").ValueKind);
            Assert.DoesNotMatch("\"/(tmp|home|usr|root|srv|work)/", text);
        }
    }
}
