using System.Text;
using System.Text.RegularExpressions;

namespace StepUp.Engine.Files;

/// <summary>
/// A glob pattern of StepUp 4 (root-relative): <c>*</c> and <c>?</c> within one component,
/// <c>[...]</c> (<c>[!...]</c>), a component <c>**</c> for any number of folders, and named wildcards
/// <c>${*name}</c> whose sub-pattern is given in the subs (default <c>*</c>); a name used twice
/// must match the same text. The same rules as the Python client's <c>stepup.core.nglob</c>, so
/// that matching again finds what the client found.
/// </summary>
public sealed partial class NamedPattern
{
    [GeneratedRegex(@"\$\{\*(?<name>[^}]*)\}|(?<stars>\*+)|(?<any>\?)|(?<cls>\[!?\]?[^\]]*\])")]
    private static partial Regex Wildcard();

    readonly Regex _regex;
    readonly string _base;
    readonly int _depth;

    /// <exception cref="ArgumentException">A named wildcard without a valid name, or a sub-pattern with a named wildcard.</exception>
    public NamedPattern(string pattern, IReadOnlyDictionary<string, string> subs)
    {
        Pattern = pattern;
        _regex = new Regex("^" + ToRegex(pattern, subs, new HashSet<string>(StringComparer.Ordinal), allowNames: true) + "$", RegexOptions.CultureInvariant);
        var components = pattern.Split('/');
        var literal = components.TakeWhile(c => !Wildcard().IsMatch(c)).ToList();
        if (literal.Count == components.Length) literal.RemoveAt(literal.Count - 1);
        _base = string.Join('/', literal);
        _depth = components.Contains("**") ? int.MaxValue : components.Length - literal.Count;
    }

    public string Pattern { get; }

    public static bool HasWildcards(string pattern) => Wildcard().IsMatch(pattern);

    /// <summary>Whether a root-relative path (a folder without its trailing '/') matches.</summary>
    public bool IsMatch(string path) => _regex.IsMatch(path);

    /// <summary>The files and folders (with a trailing '/') under the root that match, sorted; never inside .stepup/.</summary>
    public List<string> Matches(string root)
    {
        var found = new List<string>();
        var start = _base.Length == 0 ? root : Path.Combine(root, _base);
        if (Directory.Exists(start)) Walk(root, start, _base, 1, found);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    void Walk(string root, string folder, string relative, int depth, List<string> found)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(folder).EnumerateFileSystemInfos();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var entry in entries)
        {
            var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (PathRules.IsInStateFolder(path)) continue;
            // A link to a folder is matched as a folder but not followed: no loops.
            var isFolder = entry is DirectoryInfo;
            if (IsMatch(path)) found.Add(isFolder ? path + "/" : path);
            if (isFolder && depth < _depth && entry.LinkTarget == null) Walk(root, entry.FullName, path, depth + 1, found);
        }
    }

    static string ToRegex(string pattern, IReadOnlyDictionary<string, string> subs, HashSet<string> seen, bool allowNames)
    {
        var components = pattern.Split('/');
        var text = new StringBuilder();
        for (var i = 0; i < components.Length; i++)
        {
            var last = i == components.Length - 1;
            if (components[i] == "**")
            {
                text.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            Component(text, components[i], subs, seen, allowNames);
            if (!last) text.Append('/');
        }
        return text.ToString();
    }

    static void Component(StringBuilder text, string component, IReadOnlyDictionary<string, string> subs, HashSet<string> seen, bool allowNames)
    {
        var position = 0;
        foreach (Match match in Wildcard().Matches(component))
        {
            text.Append(Regex.Escape(component[position..match.Index]));
            position = match.Index + match.Length;
            if (match.Groups["name"].Success)
            {
                var name = match.Groups["name"].Value;
                if (!allowNames) throw new ArgumentException($"a sub-pattern cannot contain a named wildcard: {component}");
                if (!IsIdentifier(name)) throw new ArgumentException($"a named wildcard needs a name of letters, digits and underscores, not ${{*{name}}}");
                if (!seen.Add(name)) text.Append(@"\k<").Append(name).Append('>');
                else text.Append("(?<").Append(name).Append('>').Append(ToRegex(subs.GetValueOrDefault(name, "*"), subs, [], false)).Append(')');
            }
            else if (match.Groups["stars"].Success) text.Append("[^/]*");
            else if (match.Groups["any"].Success) text.Append("[^/]");
            else
            {
                var body = match.Groups["cls"].Value[1..^1];
                var negate = body.StartsWith('!');
                if (negate) body = body[1..];
                text.Append('[').Append(negate ? "^" : "").Append(body.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
            }
        }
        text.Append(Regex.Escape(component[position..]));
    }

    static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
