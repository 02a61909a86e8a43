using Sada.Tests.Shared;

namespace Sada.Workbench.Tests;

/// <summary>A test that needs a Redis server: reported skipped, with the reason, when none can be had.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (TestRedis.Unavailable is { } reason) Skip = "Redis unavailable: " + reason;
    }
}

/// <summary>A test that needs PostgreSQL and Redis: reported skipped, with the reasons, when either cannot be had.</summary>
public sealed class PostgresAndRedisFactAttribute : FactAttribute
{
    public PostgresAndRedisFactAttribute()
    {
        var reasons = new[] { TestPostgres.Unavailable is { } pg ? "PostgreSQL unavailable: " + pg : null, TestRedis.Unavailable is { } r ? "Redis unavailable: " + r : null }
            .OfType<string>().ToList();
        if (reasons.Count > 0) Skip = string.Join("; ", reasons);
    }
}
