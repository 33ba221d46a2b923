using System.Text;
using System.Text.RegularExpressions;

namespace StepUp.Engine.Hyper;

/// <summary>
/// One element of StepUpSelect: <c>step</c> or <c>step/realization-glob</c>, with ducttape's
/// realization globs. The step part and each branch are shell-like patterns (<c>*</c>, <c>?</c>,
/// <c>{a,b}</c>). The realization glob is split on <c>+</c>; each part is <c>BP.pattern</c> or
/// <c>*</c>. A realization matches when it has every branch point the glob names, on a matching
/// branch, and every other branch point at its baseline, unless a part is <c>*</c>.
/// <c>Baseline.baseline</c> names no branch point (only the baseline realization matches) and a
/// missing realization glob is <c>*</c>. A step without realizations has no branch point.
/// </summary>
public sealed class RealizationGlob
{
    readonly Regex _step;
    readonly List<(string BranchPoint, Regex Branch)> _named;
    readonly bool _anyOther;

    RealizationGlob(string text, Regex step, List<(string, Regex)> named, bool anyOther)
    {
        Text = text;
        _step = step;
        _named = named;
        _anyOther = anyOther;
    }

    /// <summary>The element as the user wrote it.</summary>
    public string Text { get; }

    /// <summary>The glob of <paramref name="text"/>, or null with the reason it is malformed.</summary>
    public static RealizationGlob? Parse(string text, out string? problem)
    {
        problem = null;
        var slash = text.IndexOf('/');
        var stepPart = slash < 0 ? text : text[..slash];
        var realizationPart = slash < 0 ? "*" : text[(slash + 1)..];
        if (stepPart.Length == 0) { problem = "the step name before '/' is empty"; return null; }
        if (realizationPart.Length == 0) { problem = "the realization glob after '/' is empty (write * for every realization)"; return null; }
        var step = Pattern(stepPart, ref problem);
        var named = new List<(string, Regex)>();
        var anyOther = false;
        foreach (var part in realizationPart.Split('+'))
        {
            if (part == "*") { anyOther = true; continue; }
            if (part == RealizationName.Baseline) continue;
            var dot = part.IndexOf('.');
            if (dot <= 0 || dot == part.Length - 1 || !Names.IsName(part[..dot]))
            {
                problem ??= $"'{part}' is neither * nor BranchPoint.branch-pattern (e.g. Letter.b, Letter.*)";
                continue;
            }
            if (named.Any(n => n.Item1 == part[..dot])) { problem ??= $"branch point {part[..dot]} is named twice"; continue; }
            named.Add((part[..dot], Pattern(part[(dot + 1)..], ref problem)));
        }
        return problem == null ? new RealizationGlob(text, step, named, anyOther) : null;
    }

    /// <summary>Whether step <paramref name="stepName"/> with these branches (empty for a step without realizations) matches.</summary>
    public bool Matches(string stepName, IReadOnlyList<BranchChoice> branches)
    {
        if (!_step.IsMatch(stepName)) return false;
        foreach (var (branchPoint, pattern) in _named)
        {
            var found = false;
            foreach (var choice in branches)
                if (choice.BranchPoint == branchPoint) { found = pattern.IsMatch(choice.Branch); break; }
            if (!found) return false;
        }
        if (_anyOther) return true;
        foreach (var choice in branches)
            if (!choice.IsBaseline && !_named.Any(n => n.BranchPoint == choice.BranchPoint)) return false;
        return true;
    }

    /// <summary>A shell-like pattern as an anchored regular expression: <c>*</c>, <c>?</c> and <c>{a,b}</c> (not nested).</summary>
    static Regex Pattern(string glob, ref string? problem)
    {
        var regex = new StringBuilder("^");
        var inBraces = false;
        foreach (var c in glob)
        {
            switch (c)
            {
                case '*': regex.Append(".*"); break;
                case '?': regex.Append('.'); break;
                case '{' when !inBraces: inBraces = true; regex.Append("(?:"); break;
                case '}' when inBraces: inBraces = false; regex.Append(')'); break;
                case ',' when inBraces: regex.Append('|'); break;
                case '{' or '}': problem ??= $"'{glob}' has an unbalanced or nested brace"; break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        if (inBraces) problem ??= $"'{glob}' has an unclosed brace";
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
