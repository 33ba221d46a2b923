namespace StepUp.Cli.Workflow;

/// <summary>
/// `stepup clean [PATH...] [--all]`: the outputs at or under the paths and what is built from them,
/// only orphaned ones without --all, each still as it was built. A dry run prints them as `rm PATH`
/// lines; with --commit the director removes them. The graph stays.
/// </summary>
static class CleanRequest
{
    /// <param name="paths">Relative to the current folder: the outputs there and what is built from them.</param>
    public static int Run(PackageLayout package, string root, IReadOnlyList<string> paths, bool all, bool commit, EventPrinter printer, TextWriter output)
    {
        if (!File.Exists(Path.Combine(root, ".stepup", "graph.db")))
        {
            output.WriteLine("# No outputs found to be cleaned.");
            return 0;
        }
        if (!commit)
        {
            output.WriteLine("# Note: No files or directories are actually removed.");
            output.WriteLine("# Use the --commit option to execute the removals.");
        }
        using var stream = DirectorRequests.Connect(package);
        Framing.Write(stream, new CleanProjectRequest
        {
            Root = root,
            DryRun = !commit,
            // `sub/` names the folder sub: the director matches root-relative paths without a trailing slash.
            Paths = (paths.Count == 0 ? ["."] : paths).Select(p => Path.GetRelativePath(root, Path.GetFullPath(p)).TrimEnd('/')).Select(p => p.Length == 0 ? "." : p).ToList(),
            All = all,
            Transient = DirectorRequests.IsCi(),
        }.ToFrame());
        var outcome = DirectorRequests.Relay(stream, printer);
        return outcome.Done is { Success: true } ? 0 : (int)ReturnCode.Internal;
    }
}
