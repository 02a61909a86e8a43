using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Runs;

/// <summary>
/// Live runs at /hubs/runs. Subscribing returns what is stored, and the live stream follows, with no gap and no
/// duplicate, by this contract:
/// <list type="number">
/// <item>The worker stores every evaluation, log line and t-SNE before it publishes it.</item>
/// <item>The hub adds the caller to the group FIRST, then reads the history and returns it. An event stored before the
/// read is in the history; one stored after was published after the join, so it comes live: no gap.</item>
/// <item>An event stored before the read but published after the join comes both ways; and a live event may arrive
/// before the invocation returns. Clients drop what they have already seen by its key (a metric's step, a log line's
/// or embedding's id) and hold live events until the history is in (<see cref="RunFeed"/> does both): no duplicate,
/// and history first.</item>
/// </list>
/// </summary>
[Authorize(Policy = WorkbenchPolicies.Read)]
public sealed class RunsHub(RunStore store, RunCatalog catalog) : Hub<IRunsClient>
{
    public const string Path = RunsHubContract.Path;

    public static string RunGroup(int runId) => $"run:{runId}";
    public static string StudyGroup(int studyId) => $"study:{studyId}";

    /// <summary>Joins the run's group, then returns the run's stored status, metrics, log lines and embeddings.</summary>
    public async Task<RunHistoryMessage> SubscribeRun(int runId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, RunGroup(runId));
        var history = await store.GetHistoryAsync(runId, Context.ConnectionAborted);
        if (history is null)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, RunGroup(runId));
            throw new HubException($"Run {runId} does not exist.");
        }
        return RunHistoryMessage.From(history);
    }

    public Task UnsubscribeRun(int runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, RunGroup(runId));

    /// <summary>Joins the study's group (status, evaluations, progress and t-SNE of its runs), then returns its runs' statuses.</summary>
    public async Task<IReadOnlyList<RunStatusMessage>> SubscribeStudy(int studyId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, StudyGroup(studyId));
        var runs = await catalog.InStudyAsync(studyId, Context.ConnectionAborted);
        if (runs is null)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, StudyGroup(studyId));
            throw new HubException($"Study {studyId} does not exist.");
        }
        return runs.Select(RunStatusMessage.From).ToList();
    }

    public Task UnsubscribeStudy(int studyId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, StudyGroup(studyId));
}
