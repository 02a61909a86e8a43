using System.Text.Json;
using Sada.Data.Runs.Events;
using StackExchange.Redis;

namespace Sada.Workbench.Runs;

/// <summary>Section Sada:Redis: with a Configuration (e.g. localhost:6379), run events cross processes over Redis.</summary>
public sealed record RedisOptions
{
    public const string Section = "Sada:Redis";

    /// <summary>A StackExchange.Redis configuration string; empty: one process, no Redis.</summary>
    public string? Configuration { get; init; }

    /// <summary>Prefix of this deployment's Redis channels, so that several deployments (or test runs) can share one server.</summary>
    public string ChannelPrefix { get; init; } = "sada";

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);

    public static RedisOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<RedisOptions>() ?? new RedisOptions();
        if (string.IsNullOrWhiteSpace(options.ChannelPrefix)) throw new ArgumentException($"{Section}:ChannelPrefix must not be empty.");
        if (options.Enabled)
        {
            try { ConfigurationOptions.Parse(options.Configuration!); }
            catch (ArgumentException e) { throw new ArgumentException($"{Section}:Configuration is not a valid Redis configuration: {e.Message}", e); }
        }
        return options;
    }

    /// <summary>Connects lazily and keeps retrying: a web instance starts, and serves, while Redis is down.</summary>
    public ConfigurationOptions ToRedis()
    {
        var redis = ConfigurationOptions.Parse(Configuration!);
        redis.AbortOnConnectFail = false;
        return redis;
    }
}

/// <summary>
/// The pages' route for run events across processes: every event is published on one Redis channel, and every process
/// delivers what that channel carries to its own <see cref="RunEventBus"/>, its own events included, in publish order
/// (one subscriber queue). SignalR's clients get the same events through SignalR's own Redis backplane.
/// </summary>
public sealed class RedisRunEventRelay(IConnectionMultiplexer redis, RedisOptions options, RunEventBus bus, ILogger<RedisRunEventRelay> logger)
    : IPageEventRoute, IHostedService
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    RedisChannel Channel { get; } = RedisChannel.Literal(options.ChannelPrefix + ":run-events");
    ChannelMessageQueue? _queue;

    sealed record Envelope(int RunId, string Kind, JsonElement Message);

    public async Task SendAsync(int runId, object message)
    {
        var envelope = new Envelope(runId, KindOf(message), JsonSerializer.SerializeToElement(message, message.GetType(), Json));
        await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(envelope, Json));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _queue = await redis.GetSubscriber().SubscribeAsync(Channel);
        _queue.OnMessage(Receive);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_queue is not null) await _queue.UnsubscribeAsync();
    }

    void Receive(ChannelMessage received)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(received.Message.ToString(), Json)
                           ?? throw new JsonException("empty envelope");
            bus.Deliver(envelope.RunId, envelope.Message.Deserialize(TypeOf(envelope.Kind), Json)!);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            logger.LogWarning(e, "A run event from Redis could not be read");
        }
    }

    static string KindOf(object message) => message switch
    {
        RunStatusMessage => "status",
        MetricMessage => "metric",
        ProgressMessage => "progress",
        LogMessage => "log",
        EmbeddingMessage => "embedding",
        StepLossesMessage => "step-losses",
        _ => throw new ArgumentException($"Not a run message: {message.GetType().Name}", nameof(message)),
    };

    static Type TypeOf(string kind) => kind switch
    {
        "status" => typeof(RunStatusMessage),
        "metric" => typeof(MetricMessage),
        "progress" => typeof(ProgressMessage),
        "log" => typeof(LogMessage),
        "embedding" => typeof(EmbeddingMessage),
        "step-losses" => typeof(StepLossesMessage),
        _ => throw new ArgumentException($"Unknown run event kind '{kind}'", nameof(kind)),
    };
}
