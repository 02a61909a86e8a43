using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sada.Cli.Commands;

/// <summary>A refused or failed sign-in, with the workbench's reason.</summary>
public sealed class WorkbenchSignInException(string message) : Exception(message);

/// <summary>Signs in to a workbench (<c>POST /api/account/login</c>) and returns the bearer token the API and hub accept.</summary>
public static class WorkbenchSignIn
{
    public static async Task<string> TokenAsync(Uri workbench, string email, string password, CancellationToken cancellation,
        HttpMessageHandler? handler = null)
    {
        if (string.IsNullOrEmpty(password)) throw new WorkbenchSignInException($"no password for {email}: set SADA_PASSWORD");
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        using var response = await http.PostAsJsonAsync(new Uri(workbench, "api/account/login"), new { email, password }, cancellation);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellation)).TryGetProperty("detail", out var d) ? d.GetString() : null;
            throw new WorkbenchSignInException($"signing in as {email} failed: {detail ?? "wrong email or password"}");
        }
        if (!response.IsSuccessStatusCode)
            throw new WorkbenchSignInException($"signing in at {workbench} failed: {(int)response.StatusCode} {response.ReasonPhrase}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
        return body.GetProperty("accessToken").GetString() ?? throw new WorkbenchSignInException("the workbench answered without a token");
    }
}
