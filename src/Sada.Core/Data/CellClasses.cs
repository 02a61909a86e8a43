using System.Globalization;

namespace Sada.Core.Data;

/// <summary>
/// The white-blood-cell class vocabulary and the normalisation of folder names to it:
/// "Neutrophil", "neutrophils" and "NEUTROPHIL" are one class, "neutrophil".
/// </summary>
public static class CellClasses
{
    /// <summary>The five classes the public WBC datasets share, in the order the workbench lists them.</summary>
    public static readonly IReadOnlyList<string> Standard = ["neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil"];

    /// <summary>Lower case, trimmed, separators folded to one space, and an English plural 's' dropped.</summary>
    public static string Normalize(string name)
    {
        var s = name.Trim().ToLower(CultureInfo.InvariantCulture).Replace('_', ' ').Replace('-', ' ');
        s = string.Join(' ', s.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (s.Length > 3 && s.EndsWith('s') && !s.EndsWith("ss", StringComparison.Ordinal)) s = s[..^1];
        return s;
    }

    public static bool IsStandard(string normalized) => Standard.Contains(normalized);

    /// <summary>Distinct normalised names, the standard ones first in vocabulary order, then the others alphabetically.</summary>
    public static IReadOnlyList<string> Order(IEnumerable<string> normalized)
    {
        var set = normalized.ToHashSet();
        return Standard.Where(set.Contains).Concat(set.Where(n => !IsStandard(n)).Order(StringComparer.Ordinal)).ToList();
    }
}
