using Sada.Tests.Shared;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sada.Data.Tests;

/// <summary>Marks a test class whose tests run on PostgreSQL (the same tests as its SQLite base class).</summary>
public interface IOnPostgres;

/// <summary>
/// A fact of the data layer, run on each provider its class stands for. In a class marked <see cref="IOnPostgres"/>, when no
/// PostgreSQL server can be had the test is reported skipped with the reason, never left out silently.
/// </summary>
[XunitTestCaseDiscoverer("Sada.Data.Tests.DbFactDiscoverer", "Sada.Data.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class DbFactAttribute : FactAttribute;

public sealed class DbFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    readonly FactDiscoverer _fact = new(diagnostics);

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (typeof(IOnPostgres).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) && TestPostgres.Unavailable is { } reason)
            return [new XunitSkippedDataRowTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod,
                "PostgreSQL unavailable: " + reason)];
        return _fact.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
