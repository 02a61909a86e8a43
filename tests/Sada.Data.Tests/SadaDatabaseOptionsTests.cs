using Microsoft.Extensions.Configuration;

namespace Sada.Data.Tests;

public class SadaDatabaseOptionsTests
{
    static SadaDatabaseOptions Read(params (string Key, string Value)[] settings) =>
        SadaDatabaseOptions.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Sqlite_is_the_default_and_the_plain_string_form_still_names_the_file()
    {
        Assert.False(Read().IsPostgres);
        Assert.False(Read(("Sada:Database", "other.db")).IsPostgres);
    }

    [Fact]
    public void Postgres_is_chosen_by_configuration_and_described_without_its_password()
    {
        var options = Read(("Sada:Database", "sada.db"), ("Sada:Database:Provider", "postgres"),
            ("Sada:Database:ConnectionString", "Host=db.lab;Port=5433;Database=sada;Username=sada;Password=secret"));
        Assert.True(options.IsPostgres);
        Assert.Equal("postgres://db.lab:5433/sada", options.Describe("/ignored/sada.db"));
        Assert.IsType<PostgresSadaDbContext>(SadaDataServices.CreateContext(options, "unused.db"));
    }

    [Fact]
    public void A_wrong_provider_or_a_missing_connection_string_is_refused_with_the_key_named()
    {
        var unknown = Assert.Throws<ArgumentException>(() => Read(("Sada:Database:Provider", "mysql")));
        Assert.Contains("Sada:Database:Provider", unknown.Message);
        var missing = Assert.Throws<ArgumentException>(() => Read(("Sada:Database:Provider", "postgres")));
        Assert.Contains("Sada:Database:ConnectionString", missing.Message);
    }
}
