using System.Reflection;
using Sada.Core.Algorithms;

namespace Sada.Core.Tests.Algorithms;

/// <summary>Every number in a config has an upper bound, so no request can ask for a two-billion-wide layer or a near-zero temperature.</summary>
public class ConfigBoundsTests
{
    static IEnumerable<PropertyInfo> Numeric() => typeof(AlgorithmConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(double)));

    public static TheoryData<string> NumericFields()
    {
        var data = new TheoryData<string>();
        // Seed spans every non-negative int: its bound is int.MaxValue itself.
        foreach (var p in Numeric().Where(p => p.Name != nameof(AlgorithmConfig.Seed))) data.Add(p.Name);
        return data;
    }

    static AlgorithmConfig With(string field, object value)
    {
        var config = new AlgorithmConfig() with { };
        typeof(AlgorithmConfig).GetProperty(field)!.SetValue(config, value);
        return config;
    }

    [Theory]
    [MemberData(nameof(NumericFields))]
    public void A_huge_value_of_any_numeric_field_is_refused_naming_the_field(string field)
    {
        var property = typeof(AlgorithmConfig).GetProperty(field)!;
        object huge = property.PropertyType == typeof(int) ? (object)2_000_000_000 : 1e300;
        var errors = With(field, huge).Validate();
        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void The_seed_is_any_non_negative_int()
    {
        Assert.Contains(With(nameof(AlgorithmConfig.Seed), -1).Validate(), e => e.Field == nameof(AlgorithmConfig.Seed));
        Assert.Empty(With(nameof(AlgorithmConfig.Seed), int.MaxValue).Validate());
    }

    [Theory]
    [InlineData(nameof(AlgorithmConfig.LaHiddenDim), 2_000_000_000)]
    [InlineData(nameof(AlgorithmConfig.ProjectionDim), 2_000_000_000)]
    [InlineData(nameof(AlgorithmConfig.SnmfIterations), 2_000_000_000)]
    [InlineData(nameof(AlgorithmConfig.LaHiddenDim), 8193)]
    [InlineData(nameof(AlgorithmConfig.Steps), 1_000_001)]
    public void The_values_the_attack_used_are_refused(string field, int value) =>
        Assert.Contains(With(field, value).Validate(), e => e.Field == field);

    [Theory]
    [InlineData(1e-320)]
    [InlineData(0.009)]
    [InlineData(10.5)]
    public void The_temperature_has_a_lower_and_an_upper_bound(double temperature) =>
        Assert.Contains(new AlgorithmConfig { Temperature = temperature }.Validate(), e => e.Field == nameof(AlgorithmConfig.Temperature));

    [Fact]
    public void The_bounds_admit_the_methods_values_and_their_ablations()
    {
        Assert.Empty(new AlgorithmConfig { Temperature = 0.07, LaHiddenDim = 8192, ProjectionDim = 4096, SnmfIterations = 1000, Steps = 1_000_000, K = 16 }.Validate());
        Assert.Empty(new AlgorithmConfig { Algorithm = "erm", LaWeight = 0, StainAugmentation = false, TwoStage = false }.Validate());
    }
}
