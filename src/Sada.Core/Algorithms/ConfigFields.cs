using System.Text.Json;

namespace Sada.Core.Algorithms;

/// <summary>One hyper-parameter of a run's config as JSON writes it, with the default of the run's algorithm.</summary>
public sealed record ConfigField(string Name, string Value, string Default)
{
    public bool Changed => !string.Equals(Value, Default, StringComparison.Ordinal);
}

/// <summary>
/// A config set against the defaults of its algorithm (<c>new AlgorithmConfig { Algorithm = ... }</c>, the one place
/// defaults are declared): every field in the record's order, each marked when it differs.
/// </summary>
public static class ConfigFields
{
    public static IReadOnlyList<ConfigField> Of(AlgorithmConfig config)
    {
        var defaults = JsonSerializer.SerializeToElement(new AlgorithmConfig { Algorithm = config.Algorithm }, AlgorithmConfig.Json);
        var actual = JsonSerializer.SerializeToElement(config, AlgorithmConfig.Json);
        return actual.EnumerateObject()
            .Select(p => new ConfigField(p.Name, Show(p.Value), defaults.TryGetProperty(p.Name, out var d) ? Show(d) : "(none)"))
            .ToList();
    }

    static string Show(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "(none)",
        _ => value.GetRawText(),
    };
}
