using StepUp.Engine.Events;
using StepUp.Engine.Scheduling;

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

    /// <summary>
    /// Reports each target the graph knows as static or volatile, unless the step that declared it
    /// so runs again; true when there is one (then nothing may run).
    /// </summary>
    public static bool Report(ProjectGraph graph, IReadOnlyCollection<string> targets, IReadOnlyDictionary<string, string> env, IBuildEvents events)
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
            if (problem == null || DeclarationMayChange(graph.FindFile(target)!, env)) continue;
            events.Report(Diagnostic.Error(Codes.InvalidTarget, "Invalid build target: " + problem));
            found = true;
        }
        return found;
    }

    /// <summary>
    /// The graph's word on the file is from the last run of the step that declared it (a plan.py
    /// that made it volatile): when that step or one that defined it runs again, its new
    /// declaration decides, and a call that declares a target static or volatile is refused then.
    /// Refusing now would block the changed plan.py that makes it a regular output (as StepUp 4,
    /// which stays silent while a step of the file's creator chain is pending).
    /// </summary>
    static bool DeclarationMayChange(FileNode file, IReadOnlyDictionary<string, string> env)
    {
        // A volatile output is declared by its producer's definition, which the producer's creator
        // made: the producer running again declares it the same way.
        var declarer = file.State == FileState.Volatile ? file.Producer?.Creator : file.Creator;
        for (var node = declarer; node is StepNode step; node = step.Creator)
            if (RunsAgain(step, env)) return true;
        return false;
    }

    static bool RunsAgain(StepNode step, IReadOnlyDictionary<string, string> env) =>
        step.State != StepState.Succeeded || step.SuccessHash == null || StepHasher.Compute(step, env) != step.SuccessHash;
}
