using StepUp.Engine.Events;
using StepUp.Engine.Files;

namespace StepUp.Engine.Building;

/// <summary>
/// The patterns steps registered (api.glob, api.static with patterns): matched again before a
/// build, so that a step whose pattern now matches other files runs again (a planning step plans
/// the new file); and, after a build without other problems, matches that no step declares static
/// are a warning, since a pattern is meant for the user's files.
/// </summary>
public static class GlobCheck
{
    /// <summary>Makes pending every step whose patterns match differently now; returns how many.</summary>
    public static int Recheck(ProjectGraph graph, string root)
    {
        var changed = 0;
        foreach (var step in graph.Steps.Values)
        {
            if (step.Globs.Count == 0 || step.IsOrphan) continue;
            foreach (var glob in step.Globs)
            {
                if (new NamedPattern(glob.Pattern, glob.Subs).Matches(root).SequenceEqual(glob.Matches, StringComparer.Ordinal)) continue;
                step.State = StepState.Pending;
                step.RerunReason = $"the files that match {glob.Pattern} changed";
                step.Dirty = true;
                changed++;
                break;
            }
        }
        return changed;
    }

    /// <summary>Warns once about the matches that are not static: files nobody declared, folders with no static file.</summary>
    public static void ReportUndeclared(ProjectGraph graph, IBuildEvents events)
    {
        var undeclared = new SortedSet<string>(StringComparer.Ordinal);
        StepNode? first = null;
        foreach (var step in graph.Steps.Values)
        {
            if (step.Globs.Count == 0 || step.IsOrphan) continue;
            foreach (var match in step.Globs.SelectMany(g => g.Matches))
            {
                if (IsStatic(graph, match)) continue;
                undeclared.Add(match);
                first ??= step;
            }
        }
        if (first == null) return;
        var shown = string.Join(", ", undeclared.Take(10)) + (undeclared.Count > 10 ? $" and {undeclared.Count - 10} more" : "");
        events.Report(Diagnostic.Warning(Codes.GlobMatchNotStatic,
            $"{undeclared.Count} glob match(es) are not declared static: {shown}. Declare them with static() (or a Static item), or narrow the pattern.",
            StepReporter.LocationOf(first)));
    }

    static bool IsStatic(ProjectGraph graph, string match)
    {
        if (!match.EndsWith('/'))
            return graph.FindFile(match) is { IsOrphan: false, State: FileState.Static or FileState.Missing };
        var folder = match.TrimEnd('/');
        if (graph.StaticFolders.Any(f => folder == f || folder.StartsWith(f + "/", StringComparison.Ordinal))) return true;
        return graph.Files.Values.Any(f => f.State == FileState.Static && !f.IsOrphan && f.Path.StartsWith(match, StringComparison.Ordinal));
    }
}
