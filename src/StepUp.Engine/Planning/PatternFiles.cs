using StepUp.Engine.Hyper;

namespace StepUp.Engine.Planning;

/// <summary>
/// The outputs that the items declare and that the graph knows steps to make (planning steps define
/// some while they run): a folder or wildcard input matches them before they exist, as dependencies.
/// Made once per plan, only when an input needs it.
/// </summary>
sealed class PatternFiles(string root, IReadOnlyList<ItemSpec> items, PlanningContext? context)
{
    HashSet<string>? _outputs, _volatiles, _statics;

    public HashSet<string> Outputs => _outputs ??= Declared("Out", s => s.Outputs);
    public HashSet<string> Volatiles => _volatiles ??= Declared("Vol", s => s.Volatiles);

    /// <summary>True once per path that the plan does not hold as static yet.</summary>
    public bool IsNewStatic(Plan plan, string path) =>
        (_statics ??= new HashSet<string>(plan.Statics.Select(s => s.Path), StringComparer.Ordinal)).Add(path);

    HashSet<string> Declared(string metadata, Func<StepDefinition, IEnumerable<string>> known)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.ItemType is not ("Step" or "Script") || HyperPlanner.NeedsHyper(item)) continue;
            var workdirRaw = item.Meta("Workdir");
            var workdir = workdirRaw.Length == 0 ? "." : PathRules.Normalize(root, ".", workdirRaw);
            foreach (var path in item.List(metadata)) paths.Add(PathRules.Normalize(root, workdir, path));
        }
        foreach (var step in context?.Known ?? []) paths.UnionWith(known(step));
        return paths;
    }
}
