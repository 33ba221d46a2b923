using StepUp.Engine.Scheduling;
using StepUp.Engine.Building;
using StepUp.Engine.Hyper;

namespace StepUp.Engine.Reporting;

/// <summary>
/// StepUpList (reference §9.7): one line per planned step, a realization as <c>step realization</c>,
/// with its state: up to date (the next build skips it) or will run (it, or a step it needs, is not
/// up to date). The realizations the plans or a graft leave out follow as OMITTED lines, which the
/// task logs at detailed verbosity.
/// </summary>
public static class PlanList
{
    public const string Tag = "LIST";
    public const string LeftOutTag = "OMITTED";

    public static BuildSummary Report(ProjectGraph graph, Plan plan, IReadOnlyDictionary<string, string> env, IBuildEvents events)
    {
        var upToDate = new Dictionary<StepNode, bool>(ReferenceEqualityComparer.Instance);
        var counts = (Planned: 0, WillRun: 0);
        foreach (var definition in plan.Steps.Where(s => !s.LeftOut))
        {
            var node = graph.FindStep(definition.Key);
            var current = node != null && UpToDate(node, env, upToDate);
            counts.Planned++;
            if (!current) counts.WillRun++;
            events.Line(Tag, $"{Name(definition)} ({(current ? "up to date" : "will run")})");
        }
        foreach (var reason in plan.LeftOutReasons) events.Line(LeftOutTag, reason);
        return new BuildSummary
        {
            Success = true,
            Text = $"StepUp: {counts.Planned} planned, {counts.WillRun} will run, {counts.Planned - counts.WillRun} up to date"
                + (plan.Steps.Count(s => s.LeftOut) is var kept and > 0 ? $", {kept} left out with their results" : ""),
        };
    }

    /// <summary><c>step realization</c> for a realization, the label for any other step.</summary>
    static string Name(StepDefinition definition)
    {
        if (definition.Realization is not { } realization) return definition.Label;
        var folder = RealizationName.Folder(realization);
        return definition.Key[..^(folder.Length + 1)] + " " + realization;
    }

    /// <summary>What the next build decides: it and every step it needs would be skipped.</summary>
    static bool UpToDate(StepNode step, IReadOnlyDictionary<string, string> env, Dictionary<StepNode, bool> known)
    {
        if (known.TryGetValue(step, out var result)) return result;
        known[step] = false;
        result = step.State == StepState.Succeeded && step.SuccessHash != null && step.Outputs.All(o => o.State == FileState.Built);
        foreach (var input in step.Inputs)
        {
            if (!result) break;
            if (input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, step))
                result = UpToDate(producer, env, known) && input.State == FileState.Built;
            else
                result = input.State == FileState.Static;
        }
        result = result && StepHasher.Compute(step, env) == step.SuccessHash;
        return known[step] = result;
    }
}
