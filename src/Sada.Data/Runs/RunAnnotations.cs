using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>
/// A change of a run's user-written texts; a null field stays as it is. An empty (or blank) name or notes clears it;
/// <see cref="Tags"/> replaces the run's whole set of tags (an empty list removes them all).
/// </summary>
public sealed record RunAnnotationChange(string? Name = null, IReadOnlyList<string>? Tags = null, string? Notes = null);

/// <summary>What a person wrote about a run: its name, tags (alphabetical) and notes.</summary>
public sealed record RunAnnotation(int RunId, string? Name, IReadOnlyList<string> Tags, string? Notes);

/// <summary>
/// Reads and writes a run's name, tags and notes (<see cref="Run.Name"/>, <see cref="Run.Tags"/>, <see cref="Run.Notes"/>)
/// within <see cref="RunTextLimits"/>. A tag is trimmed and lowered; it is letters, digits and <c>- _ . : / +</c>.
/// </summary>
public sealed class RunAnnotations(IDbContextFactory<SadaDbContext> dbs)
{
    /// <summary>The characters a tag may hold besides letters and digits.</summary>
    public const string TagPunctuation = "-_.:/+";

    /// <summary>A tag as it is stored and filtered by: trimmed, in lower case.</summary>
    public static string NormaliseTag(string tag) => tag.Trim().ToLowerInvariant();

    /// <summary>Why the tag cannot be stored, or null when it can (as <see cref="NormaliseTag"/> makes it).</summary>
    public static string? TagProblem(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return "a tag must not be empty or only spaces";
        var normal = NormaliseTag(tag);
        if (normal.Length > RunTextLimits.Tag) return $"tag '{Shorten(normal)}' has {normal.Length} characters; at most {RunTextLimits.Tag}";
        var bad = normal.Where(c => !char.IsLetterOrDigit(c) && !TagPunctuation.Contains(c, StringComparison.Ordinal)).Distinct().ToList();
        if (bad.Count > 0)
            return $"tag '{Shorten(normal)}' has {string.Join(" ", bad.Select(c => $"'{c}'"))}; a tag is letters, digits and {string.Join(" ", TagPunctuation.ToCharArray())}";
        return null;
    }

    /// <summary>Every problem of the change, by field (<c>name</c>, <c>tags</c>, <c>notes</c>); empty when it can be stored.</summary>
    public static IReadOnlyDictionary<string, string[]> Check(RunAnnotationChange change)
    {
        var errors = new RequestErrors();
        Collect(change, errors);
        try
        {
            errors.ThrowIfAny();
            return new Dictionary<string, string[]>();
        }
        catch (RunRequestException e) { return e.Errors; }
    }

    static void Collect(RunAnnotationChange change, RequestErrors errors)
    {
        if (change.Name is { } name && name.Trim().Length > RunTextLimits.Name)
            errors.Add("name", $"the name has {name.Trim().Length} characters; at most {RunTextLimits.Name}");
        if (change.Notes is { } notes && notes.Trim().Length > RunTextLimits.Notes)
            errors.Add("notes", $"the notes have {notes.Trim().Length} characters; at most {RunTextLimits.Notes}");
        if (change.Tags is { } tags)
        {
            foreach (var tag in tags)
                if (TagProblem(tag) is { } problem) errors.Add("tags", problem);
            int distinct = tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(NormaliseTag).Distinct(StringComparer.Ordinal).Count();
            if (distinct > RunTextLimits.TagsPerRun) errors.Add("tags", $"{distinct} tags; a run may have at most {RunTextLimits.TagsPerRun}");
        }
    }

    /// <summary>The run's name, tags and notes; null for an unknown run.</summary>
    public async Task<RunAnnotation?> GetAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.Runs.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new RunAnnotation(r.Id, r.Name, r.Tags.Select(t => t.Name).OrderBy(n => n).ToList(), r.Notes))
            .SingleOrDefaultAsync(cancellation);
    }

    /// <summary>
    /// Applies the change in one transaction and returns what the run now holds; null for an unknown run. Invalid values
    /// are a <see cref="RunRequestException"/> naming each field, and nothing is written.
    /// </summary>
    public async Task<RunAnnotation?> UpdateAsync(int runId, RunAnnotationChange change, CancellationToken cancellation = default)
    {
        var errors = new RequestErrors();
        Collect(change, errors);
        errors.ThrowIfAny();
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var run = await db.Runs.Include(r => r.Tags).SingleOrDefaultAsync(r => r.Id == runId, cancellation);
        if (run is null) return null;
        if (change.Name is { } name) run.Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (change.Notes is { } notes) run.Notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        if (change.Tags is { } tags)
        {
            var wanted = tags.Select(NormaliseTag).Distinct(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            run.Tags.RemoveAll(t => !wanted.Contains(t.Name));
            foreach (var tag in wanted.Where(w => !run.Tags.Any(t => t.Name == w)).Order(StringComparer.Ordinal))
                run.Tags.Add(new RunTag { RunId = run.Id, Name = tag });
        }
        await db.SaveChangesAsync(cancellation);
        return new RunAnnotation(run.Id, run.Name, run.Tags.Select(t => t.Name).Order(StringComparer.Ordinal).ToList(), run.Notes);
    }

    static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "...";
}
