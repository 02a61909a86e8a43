using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sada.Core.Algorithms;

namespace Sada.Data.Runs;

/// <summary>
/// A config given as a partial JSON object (only what differs from the method's defaults) merged over
/// <see cref="AlgorithmConfig"/>'s defaults. Field names match the record's properties case-insensitively,
/// with or without underscores ("K", "k", "laWeight", "la_weight"); unknown fields and values of the wrong
/// type are errors naming the field, then the merged record is validated.
/// </summary>
public static class PartialConfig
{
    static readonly PropertyInfo[] Properties = typeof(AlgorithmConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite).ToArray();

    /// <summary>The record's field names, as errors and <see cref="AlgorithmConfig.Validate"/> name them.</summary>
    public static IReadOnlyList<string> FieldNames { get; } = Properties.Select(p => p.Name).ToArray();

    /// <summary>
    /// Merges <paramref name="partial"/> (null, or a JSON object) over <paramref name="defaults"/> (the record's
    /// own defaults when null). Errors go to <paramref name="errors"/> under "<paramref name="prefix"/>.Field";
    /// returns null when there was any.
    /// </summary>
    public static AlgorithmConfig? Merge(JsonElement? partial, RequestErrors errors, string prefix = "config", AlgorithmConfig? defaults = null)
    {
        defaults ??= new AlgorithmConfig();
        if (partial is not { } json || json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return defaults;
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(prefix, "must be a JSON object of the fields that differ from the defaults");
            return null;
        }
        var merged = JsonSerializer.SerializeToNode(defaults, AlgorithmConfig.Json)!.AsObject();
        bool ok = true;
        foreach (var field in json.EnumerateObject())
        {
            var property = Find(field.Name);
            if (property is null)
            {
                errors.Add($"{prefix}.{field.Name}", $"unknown config field '{field.Name}'; the fields are {string.Join(", ", FieldNames)}");
                ok = false;
                continue;
            }
            object? value;
            try { value = field.Value.Deserialize(property.PropertyType, AlgorithmConfig.Json); }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                errors.Add($"{prefix}.{property.Name}", $"expects {Describe(property.PropertyType)}, not {field.Value.GetRawText()}");
                ok = false;
                continue;
            }
            if (value is Enum && !Enum.IsDefined(property.PropertyType, value))
            {
                errors.Add($"{prefix}.{property.Name}", $"expects {Describe(property.PropertyType)}, not {field.Value.GetRawText()}");
                ok = false;
                continue;
            }
            merged[AlgorithmConfig.Json.PropertyNamingPolicy!.ConvertName(property.Name)] = JsonSerializer.SerializeToNode(value, property.PropertyType, AlgorithmConfig.Json);
        }
        if (!ok) return null;
        var config = merged.Deserialize<AlgorithmConfig>(AlgorithmConfig.Json)!;
        return config;
    }

    /// <summary>Adds every <see cref="AlgorithmConfig.Validate"/> error under "<paramref name="prefix"/>.Field"; true when valid.</summary>
    /// <param name="checkWeights">The server's check of a weights path (<see cref="RunLimits.CheckWeights"/>); null: the file exists.</param>
    public static bool Check(AlgorithmConfig config, RequestErrors errors, string prefix = "config", Func<string, string?>? checkWeights = null)
    {
        var problems = config.Validate(checkWeights);
        foreach (var p in problems) errors.Add($"{prefix}.{p.Field}", $"{p.Field} {p.Message}");
        return problems.Count == 0;
    }

    static PropertyInfo? Find(string name)
    {
        var key = name.Replace("_", "");
        return Properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
    }

    static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => JsonNamingPolicy.CamelCase.ConvertName(n)));
        if (t == typeof(int)) return "an integer";
        if (t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string";
        return t.Name;
    }
}
