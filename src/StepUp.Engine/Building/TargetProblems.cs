using StepUp.Engine.Events;

namespace StepUp.Engine.Building;

/// <summary>
/// Build targets that no build can make: a static file or a volatile output. Found when a step
/// declares one (its call is refused) or, for what the graph already knows, before anything runs.
/// The words are StepUp 4's, so that scripts written for it find them.
/// </summary>
static class TargetProblems
{
    public static string Static(string path) => "A build target cannot be a static file: " + path;

    public static string Volatile(string path) => "A build target cannot be a volatile output: " + path;

    /// <summary>Reports each target the graph knows as static or volatile; true when there is one (then nothing may run).</summary>
    public static bool Report(ProjectGraph graph, IReadOnlyCollection<string> targets, IBuildEvents events)
    {
        var found = false;
        foreach (var target in targets.Order(StringComparer.Ordinal))
        {
            var problem = graph.FindFile(target) switch
            {
                { IsOrphan: false, State: FileState.Static or FileState.Missing } => Static(target),
                { IsOrphan: false, State: FileState.Volatile } => Volatile(target),
                _ => null,
            };
            if (problem == null) continue;
            events.Report(Diagnostic.Error(Codes.InvalidTarget, "Invalid build target: " + problem));
            found = true;
        }
        return found;
    }
}
