using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Review;

/// <summary>Simultaneous on-demand t-SNE requests for one run and checkpoint share one computation and its result.</summary>
public sealed class SharedTsneTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    /// <summary>Every log message of one category, as the app writes them.</summary>
    sealed class Captured(string category) : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();
        public ILogger CreateLogger(string name) => name == category ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
        public void Dispose() { }
    }

    [Fact]
    public async Task Three_simultaneous_requests_compute_the_tsne_once_and_get_the_same_embedding()
    {
        var log = new Captured(typeof(CheckpointEmbedder).FullName!);
        run.Factory.Services.GetRequiredService<ILoggerFactory>().AddProvider(log);
        var clients = Enumerable.Range(0, 3).Select(_ => run.Factory.SignedInClient()).ToList();

        var responses = await Task.WhenAll(clients.Select(c => c.PostAsync($"/api/runs/{run.RunId}/tsne", null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32()));
        Assert.Single(ids.Distinct());
        Assert.Single(log.Messages, m => m.StartsWith($"t-SNE of run {run.RunId} at step ", StringComparison.Ordinal));
        await using (var db = run.Db())
            Assert.Equal(1, await db.TsneEmbeddings.CountAsync(e => e.RunId == run.RunId && e.Label == "checkpoint"));
        // Once stored, a later request reads it without computing again.
        Assert.Equal(ids[0], (await (await clients[0].PostAsync($"/api/runs/{run.RunId}/tsne", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());
        Assert.Single(log.Messages, m => m.StartsWith($"t-SNE of run {run.RunId} at step ", StringComparison.Ordinal));
        foreach (var c in clients) c.Dispose();
    }
}
