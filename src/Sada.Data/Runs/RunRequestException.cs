namespace Sada.Data.Runs;

/// <summary>Why a request was refused: something it names does not exist, or some of its values are invalid.</summary>
public enum RequestErrorKind { NotFound, Invalid }

/// <summary>
/// A refused run or study request. <see cref="Errors"/> maps each offending field ("dataset", "heldOut",
/// "config.K", "variants[1].config.LaWeight", ...) to its messages, so an API can answer with the field named.
/// </summary>
public sealed class RunRequestException(RequestErrorKind kind, IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))))
{
    public RequestErrorKind Kind { get; } = kind;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static RunRequestException NotFound(string field, string message) => new(RequestErrorKind.NotFound, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Collects field errors while a request is checked, then throws them all at once.</summary>
public sealed class RequestErrors
{
    readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public void ThrowIfAny()
    {
        if (Any) throw new RunRequestException(RequestErrorKind.Invalid, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
