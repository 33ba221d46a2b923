namespace StepUp.Engine.Planning;

/// <summary>Turns user paths into the graph's form: root-relative, '/'-separated, no "." or "..".</summary>
public static class PathRules
{
    /// <summary>
    /// Resolves <paramref name="path"/> relative to <paramref name="workdir"/> (itself root-relative).
    /// Returns the root-relative path, or an absolute path when it lies outside the root.
    /// </summary>
    public static string Normalize(string root, string workdir, string path)
    {
        var rootFull = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(rootFull, workdir == "." ? "" : workdir, path.Replace('\\', '/')));
        return ToGraphPath(rootFull, full);
    }

    public static string ToGraphPath(string rootFull, string full)
    {
        var relative = Path.GetRelativePath(rootFull, full).Replace('\\', '/');
        if (relative == "." ) return ".";
        if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            return full.Replace('\\', '/');
        return relative;
    }

    public static bool IsInsideRoot(string graphPath) =>
        graphPath != "." && !Path.IsPathRooted(graphPath) && !graphPath.StartsWith("../", StringComparison.Ordinal);

    public static bool IsInStateFolder(string graphPath) =>
        graphPath == ".stepup" || graphPath.StartsWith(".stepup/", StringComparison.Ordinal);

    /// <summary>The path as a step in <paramref name="workdir"/> sees it.</summary>
    public static string RelativeToWorkdir(string root, string workdir, string graphPath)
    {
        if (Path.IsPathRooted(graphPath)) return graphPath;
        if (workdir == ".") return graphPath;
        var rootFull = Path.GetFullPath(root);
        return Path.GetRelativePath(Path.Combine(rootFull, workdir), Path.Combine(rootFull, graphPath)).Replace('\\', '/');
    }

    public static string FullPath(string root, string graphPath) =>
        Path.IsPathRooted(graphPath) ? graphPath : Path.Combine(root, graphPath);

    /// <summary>The files under a folder (a static folder), as graph paths, in order, never inside .stepup/.</summary>
    public static IEnumerable<string> FilesUnder(string rootFull, string folderFull) =>
        Directory.EnumerateFiles(folderFull, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(file => ToGraphPath(rootFull, file))
            .Where(path => !IsInStateFolder(path));
}
