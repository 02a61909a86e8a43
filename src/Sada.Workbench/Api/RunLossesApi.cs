using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data.Runs;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Api;

/// <summary>GET /api/runs/{id}/losses: a run's step-level training losses (every LogEvery steps), for scripts and plots.</summary>
public static class RunLossesApi
{
    /// <summary>One logged step: its stage and each loss averaged over the steps since the previous logged one, by the algorithm's names.</summary>
    public sealed record StepLossesDto(int Step, int Stage, IReadOnlyDictionary<string, double> Losses);

    public static IEndpointRouteBuilder MapRunLossesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs/{id:int}/losses", Losses).WithTags("Runs").RequireAuthorization(WorkbenchPolicies.Read);
        return app;
    }

    /// <summary>200 with the logged steps in step order (empty before the first), 404 for an unknown run.</summary>
    static async Task<Results<Ok<IReadOnlyList<StepLossesDto>>, ProblemHttpResult>> Losses(int id, RunStore store, CancellationToken ct)
    {
        if (await store.GetStepLossesAsync(id, ct) is not { } rows) return ApiProblems.NotFound($"no run #{id}");
        return TypedResults.Ok<IReadOnlyList<StepLossesDto>>(rows.Select(r => new StepLossesDto(r.Step, r.Stage, RunStore.ReadLosses(r))).ToList());
    }
}
