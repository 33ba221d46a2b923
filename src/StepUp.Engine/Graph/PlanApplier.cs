namespace StepUp.Engine.Graph;

/// <summary>
/// Makes a creator's products match a new plan. Steps defined the same way keep their state;
/// changed steps are re-linked and must be checked again; products no longer defined become
/// orphans, removed after the next complete and successful build.
/// </summary>
public static class PlanApplier
{
    public static void Apply(ProjectGraph graph, Node creator, Plan plan)
    {
        var stepKeys = new HashSet<string>(plan.Steps.Select(s => s.Key), StringComparer.Ordinal);
        var staticPaths = new HashSet<string>(plan.Statics.Select(s => s.Path), StringComparer.Ordinal);

        foreach (var product in creator.Products.ToList())
        {
            if (product is StepNode step && !stepKeys.Contains(step.Definition.Key))
                ProjectGraph.SetCreator(step, null);
            else if (product is FileNode file && file.Producer == null && !staticPaths.Contains(file.Path))
                ProjectGraph.SetCreator(file, null);
        }

        if (creator is RootNode) graph.StaticFolders.Clear();
        foreach (var spec in plan.StaticFolders) graph.StaticFolders.Add(spec.Path);
        foreach (var spec in plan.Statics)
        {
            var file = graph.GetOrAddFile(spec.Path);
            ProjectGraph.MakeStatic(file);
            ProjectGraph.SetCreator(file, creator);
        }

        foreach (var definition in plan.Steps) ApplyStep(graph, creator, definition);
    }

    /// <summary>Defines one step for a creator: new, the same as before (state kept), or changed.</summary>
    public static StepNode ApplyStep(ProjectGraph graph, Node creator, StepDefinition definition)
    {
        var existing = graph.FindStep(definition.Key);
        if (existing == null)
        {
            var step = graph.AddStep(definition);
            ProjectGraph.SetCreator(step, creator);
            graph.LinkStep(step);
            step.RerunReason = "first run: it has not run before";
            return step;
        }
        ProjectGraph.SetCreator(existing, creator);
        if (existing.Definition.SameAs(definition))
        {
            if (existing.Definition.Location != definition.Location || existing.Definition.LeftOut != definition.LeftOut ||
                existing.Definition.Duration != definition.Duration)
            {
                existing.Definition = definition;
                existing.Dirty = true;
            }
            return existing;
        }
        existing.Definition = definition;
        existing.State = StepState.Pending;
        existing.RerunReason = "its definition changed";
        existing.ClearAmendedEnv();
        existing.ClearGlobs();
        graph.LinkStep(existing);
        return existing;
    }
}
