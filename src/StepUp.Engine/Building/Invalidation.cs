using StepUp.Engine.Hyper;

namespace StepUp.Engine.Building;

/// <summary>
/// StepUpInvalidate (reference §9.7): the steps and realizations that StepUpSelect's globs
/// (<see cref="RealizationGlob"/>) match among those planned now, and every step downstream of
/// them, lose their recorded success, so the next build runs them again. Nothing runs now and no
/// file changes: their outputs stay until the steps write them again (with the attic, the old
/// versions move there then). Realizations the plans leave out are not selected.
/// </summary>
public static class Invalidation
{
    public const string Tag = "INVALID";

    public static BuildSummary Apply(ProjectGraph graph, Plan plan, IReadOnlyList<string> selection, IBuildEvents events)
    {
        var globs = new List<RealizationGlob>();
        foreach (var text in selection)
        {
            if (RealizationGlob.Parse(text, out var problem) is { } glob) globs.Add(glob);
            else events.Report(Diagnostic.Error(Codes.BadSelection,
                $"StepUpSelect element '{text}' cannot be read: {problem}. Write step, step/BranchPoint.branch[+...], step/* or */*."));
        }
        if (globs.Count != selection.Count) return new BuildSummary { Success = false, Text = "StepUp: nothing invalidated" };

        var planned = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        foreach (var definition in plan.Steps) planned[definition.Key] = definition;
        var selected = new HashSet<StepNode>(ReferenceEqualityComparer.Instance);
        var matched = new bool[globs.Count];
        foreach (var step in graph.Steps.Values)
        {
            if (step.IsOrphan) continue;
            var definition = planned.GetValueOrDefault(step.Definition.Key);
            if (definition is { LeftOut: true }) continue;
            var (name, branches) = NameAndBranches(step, definition);
            for (var i = 0; i < globs.Count; i++)
            {
                if (!globs[i].Matches(name, branches)) continue;
                matched[i] = true;
                selected.Add(step);
            }
        }
        for (var i = 0; i < globs.Count; i++)
            if (!matched[i])
                events.Report(Diagnostic.Warning(Codes.SelectionMatchesNothing,
                    $"StepUpSelect '{globs[i].Text}' matches no planned step or realization; nothing is invalidated for it."));

        var downstream = new HashSet<StepNode>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<StepNode>(selected);
        while (queue.Count > 0)
            foreach (var consumer in GraphSearch.Consumers(queue.Dequeue()))
                if (!selected.Contains(consumer) && downstream.Add(consumer)) queue.Enqueue(consumer);

        foreach (var step in selected.Concat(downstream).OrderBy(s => s.Label, StringComparer.Ordinal))
        {
            step.SuccessHash = null;
            step.RerunReason = "it was invalidated (StepUpInvalidate)";
            step.Dirty = true;
            events.Line(Tag, downstream.Contains(step) ? step.Label + " (downstream)" : step.Label);
        }
        return new BuildSummary
        {
            Success = true,
            Text = $"StepUp: {selected.Count + downstream.Count} invalidated ({selected.Count} selected, {downstream.Count} downstream); they run at the next build",
        };
    }

    /// <summary>A realization's step name and branches as planned now; any other step by its label, without branches.</summary>
    static (string Name, IReadOnlyList<BranchChoice> Branches) NameAndBranches(StepNode step, StepDefinition? planned)
    {
        if (planned?.Realization is not { } realization) return (step.Label, Array.Empty<BranchChoice>());
        var folder = RealizationName.Folder(realization);
        return (planned.Key[..^(folder.Length + 1)], planned.Branches);
    }
}
