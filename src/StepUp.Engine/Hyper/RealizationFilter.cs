namespace StepUp.Engine.Hyper;

/// <summary>
/// Which (partial) realizations a forward pass keeps. Every rule here holds for a realization when
/// it holds for each part, so the enumeration can drop a combination as soon as it fails.
/// Branches a step or a later step grafts (ducttape's graft relaxations) are always allowed where
/// <see cref="Relaxed"/> is set: they are needed by grafted inputs downstream.
/// </summary>
public abstract class RealizationFilter
{
    protected RealizationFilter(IReadOnlyDictionary<WorkflowStep, HashSet<(int Bp, int Branch)>>? relaxed) { Relaxed = relaxed; }

    public IReadOnlyDictionary<WorkflowStep, HashSet<(int Bp, int Branch)>>? Relaxed { get; }

    protected bool IsRelaxed(WorkflowStep step, int bp, int branch) =>
        Relaxed != null && Relaxed.TryGetValue(step, out var set) && set.Contains((bp, branch));

    public abstract bool Admits(WorkflowStep step, BranchMap map);

    /// <summary>Everything: the realizations the algebra allows.</summary>
    public static readonly RealizationFilter None = new NoFilter();

    sealed class NoFilter() : RealizationFilter(null)
    {
        public override bool Admits(WorkflowStep step, BranchMap map) => true;
    }
}

/// <summary>ducttape's default without plans: at most one non-baseline branch, relaxations not counted.</summary>
public sealed class OneOffFilter(IReadOnlyDictionary<WorkflowStep, HashSet<(int Bp, int Branch)>>? relaxed) : RealizationFilter(relaxed)
{
    public override bool Admits(WorkflowStep step, BranchMap map)
    {
        var nonBaseline = 0;
        for (var i = 0; i < map.Count; i++)
            if (map.BranchAt(i) != 0 && !IsRelaxed(step, map.BranchPointAt(i), map.BranchAt(i)) && ++nonBaseline > 1) return false;
        return true;
    }
}

/// <summary>A plan clause: every branch listed (or <c>*</c>), a branch point it does not name at its baseline.</summary>
public sealed class ClauseFilter(PlanClause clause, IReadOnlyDictionary<WorkflowStep, HashSet<(int Bp, int Branch)>>? relaxed) : RealizationFilter(relaxed)
{
    public PlanClause Clause { get; } = clause;

    public override bool Admits(WorkflowStep step, BranchMap map)
    {
        for (var i = 0; i < map.Count; i++)
        {
            var bp = map.BranchPointAt(i);
            var branch = map.BranchAt(i);
            if (!Clause.Allows(bp, branch) && !IsRelaxed(step, bp, branch)) return false;
        }
        return true;
    }
}
