using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Sada.Workbench.Accounts;

/// <summary>
/// A page's handler checks its policy again before acting: a hidden button is presentation, not protection (a
/// circuit can invoke a handler whose button it never rendered, and a role can change while a page is open).
/// </summary>
public static class PagePermissions
{
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization, Task<AuthenticationState>? state, string policy)
    {
        if (state is null) return false;
        var user = (await state).User;
        return (await authorization.AuthorizeAsync(user, policy)).Succeeded;
    }
}
