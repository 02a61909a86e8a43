using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data.Runs;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Api;

/// <summary>PATCH /api/runs/{id}: a run's name, tags and notes (researchers and admins; a reviewer reads them only).</summary>
public static class RunAnnotationsApi
{
    /// <summary>Each field optional: absent leaves it, "" clears a name or notes, a list replaces the tags.</summary>
    public sealed record AnnotateBody(string? Name, IReadOnlyList<string>? Tags, string? Notes);

    public static IEndpointRouteBuilder MapRunAnnotationsApi(this IEndpointRouteBuilder app)
    {
        app.MapPatch("/api/runs/{id:int}", Annotate).WithTags("Runs").RequireAuthorization(WorkbenchPolicies.Train);
        return app;
    }

    /// <summary>200 with what the run now holds; 400 naming each invalid field (nothing written); 404 for an unknown run.</summary>
    static async Task<Results<Ok<RunAnnotation>, ValidationProblem, ProblemHttpResult>> Annotate(int id, AnnotateBody? body, RunAnnotations annotations, CancellationToken ct)
    {
        if (body is null) return ApiProblems.Invalid("body", "a JSON object with any of name, tags and notes is required");
        try
        {
            return await annotations.UpdateAsync(id, new RunAnnotationChange(body.Name, body.Tags, body.Notes), ct) is { } saved
                ? TypedResults.Ok(saved)
                : ApiProblems.NotFound($"no run #{id}");
        }
        catch (RunRequestException e) { return ApiProblems.Invalid(e); }
    }
}
