using StepUp.Protocol;

namespace StepUp.Cli.Workflow;

/// <summary>
/// `stepup clean`: the outputs the graph records, unedited (what `dotnet clean` removes). A dry run
/// prints them as `rm PATH` lines; with --commit the director removes them and forgets the graph.
/// </summary>
static class CleanRequest
{
    public static int Run(PackageLayout package, string root, bool commit, EventPrinter printer, TextWriter output)
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
        Framing.Write(stream, new CleanProjectRequest { Root = root, DryRun = !commit, Transient = DirectorRequests.IsCi() }.ToFrame());
        var outcome = DirectorRequests.Relay(stream, printer);
        return outcome.Done is { Success: true } ? 0 : (int)ReturnCode.Internal;
    }
}
