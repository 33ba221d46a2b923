using System.Text;
using System.Text.RegularExpressions;

namespace StepUp.Engine.Planning;

/// <summary>
/// A folder or wildcard input of a step item: <c>Inp="raw/"</c> stands for every file under the
/// folder, <c>Inp="raw/*.csv"</c> for the files its MSBuild-style wildcards match (<c>*</c> and
/// <c>?</c> within a folder name, <c>**</c> for any number of folders). Both are matched again at
/// every build, on disk and against the outputs that steps declare, so a new file reruns the step.
/// </summary>
public static class InputPattern
{
    public static bool HasWildcard(string entry) => entry.IndexOfAny(['*', '?']) >= 0;

    public static bool IsPattern(string root, string workdir, string entry) =>
        HasWildcard(entry) || entry.Replace('\\', '/').EndsWith('/')
        || Directory.Exists(PathRules.FullPath(root, PathRules.Normalize(root, workdir, entry)));

    /// <summary>
    /// The graph paths the entry stands for: files on disk and <paramref name="declared"/> outputs,
    /// in order; null when it names a folder outside the root.
    /// </summary>
    public static List<string>? Expand(string root, string workdir, string entry, IEnumerable<string> declared)
    {
        var pattern = PathRules.Normalize(root, workdir, entry.Replace('\\', '/').TrimEnd('/'));
        if (!PathRules.IsInsideRoot(pattern) && pattern != ".") return null;
        var segments = pattern == "." ? [] : pattern.Split('/');
        var fixedCount = segments.TakeWhile(s => !HasWildcard(s)).Count();
        var folder = fixedCount == 0 ? "." : string.Join("/", segments.Take(fixedCount));
        var matches = fixedCount == segments.Length ? (Func<string, bool>)(path => folder == "." || path.StartsWith(folder + "/", StringComparison.Ordinal))
            : Matcher(segments).IsMatch;
        var full = PathRules.FullPath(root, folder);
        var onDisk = Directory.Exists(full) ? PathRules.FilesUnder(Path.GetFullPath(root), full) : [];
        return onDisk.Concat(declared).Where(matches).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    static Regex Matcher(string[] segments)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (segments[i] == "**")
            {
                regex.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }
            foreach (var c in segments[i])
                regex.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            if (!last) regex.Append('/');
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
