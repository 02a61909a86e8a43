using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests.Accounts;

public class WorkbenchPoliciesTests
{
    /// <summary>
    /// The page tests sign in with <see cref="WorkbenchPolicies.Of"/>; this checks it against the real registered policies,
    /// so what the page tests assume is what the workbench enforces.
    /// </summary>
    [Fact]
    public async Task Each_role_satisfies_exactly_the_policies_Of_names_through_the_registered_policies()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthorizationBuilder().AddWorkbenchPolicies();
        await using var provider = services.BuildServiceProvider();
        var authorization = provider.GetRequiredService<IAuthorizationService>();

        foreach (var role in WorkbenchRoles.All.Append("Visitor"))
        {
            var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone"), new Claim(ClaimTypes.Role, role)], "test"));
            foreach (var policy in WorkbenchPolicies.Roles.Keys)
                Assert.True((await authorization.AuthorizeAsync(user, policy)).Succeeded == WorkbenchPolicies.Of(role).Contains(policy), $"{role} / {policy}");
        }
        Assert.Equal([WorkbenchPolicies.Read], WorkbenchPolicies.Of(WorkbenchRoles.Reviewer));
        Assert.Equal([WorkbenchPolicies.Read, WorkbenchPolicies.Train], WorkbenchPolicies.Of(WorkbenchRoles.Researcher));
        Assert.Empty(WorkbenchPolicies.Of("Visitor"));
    }
}
