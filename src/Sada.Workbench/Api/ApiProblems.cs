using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data.Runs;

namespace Sada.Workbench.Api;

/// <summary>How the API reports refusals: RFC 9457 problem+json, naming the field.</summary>
static class ApiProblems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))),
            title: "The request has invalid values");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A request naming something that does not exist (RequestErrorKind.NotFound): 404 with the messages.</summary>
    public static ProblemHttpResult NotFound(RunRequestException e) => NotFound(string.Join("; ", e.Errors.SelectMany(x => x.Value)));

    /// <summary>A request with invalid values (RequestErrorKind.Invalid): 400 with the errors per field.</summary>
    public static ValidationProblem Invalid(RunRequestException e) => Invalid(e.Errors.ToDictionary(x => x.Key, x => x.Value));

    /// <summary>A JSON string stored in the database as an embedded JSON value (null stays null).</summary>
    public static JsonElement? Raw(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A dataset given as a JSON string (name) or number (id).</summary>
    public static string? NameOrId(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        _ => null,
    };
}
