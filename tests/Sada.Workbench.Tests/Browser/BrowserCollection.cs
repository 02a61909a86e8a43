namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Browser test classes run one after another, after every other test of the project: each trains on its own
/// workbench, and training must not overlap another test's (torch's random generator is process-wide), nor two
/// chromiums fight over the two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
