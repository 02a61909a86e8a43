using Sada.Cli.Commands;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Accounts;

/// <summary>`sada watch` signs in through the token endpoint: against the real workbench in memory.</summary>
public class CliSignInTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_cli_gets_a_token_with_the_right_password_and_the_workbenchs_reason_with_a_wrong_one()
    {
        await TestAccounts.EnsureUserAsync(api.Factory.Services, Sada.Workbench.Accounts.WorkbenchRoles.Reviewer);
        var server = api.Factory.Server;
        var email = TestAccounts.Email(Sada.Workbench.Accounts.WorkbenchRoles.Reviewer);

        var token = await WorkbenchSignIn.TokenAsync(server.BaseAddress, email, TestAccounts.Password, CancellationToken.None, server.CreateHandler());
        Assert.False(string.IsNullOrWhiteSpace(token));

        var wrong = await Assert.ThrowsAsync<WorkbenchSignInException>(() =>
            WorkbenchSignIn.TokenAsync(server.BaseAddress, email, "not-the-password", CancellationToken.None, server.CreateHandler()));
        Assert.Equal($"signing in as {email} failed: The email or password is wrong.", wrong.Message);

        var none = await Assert.ThrowsAsync<WorkbenchSignInException>(() =>
            WorkbenchSignIn.TokenAsync(server.BaseAddress, email, "", CancellationToken.None, server.CreateHandler()));
        Assert.Contains("SADA_PASSWORD", none.Message);
    }
}
