namespace StepUp.Engine.Hyper;

/// <summary>
/// A forward pass of the realization algebra (reference §9.3): a step's realizations combine its
/// own branch choices with one realization of every step it takes an input from, as a natural join
/// on shared branch points and a cross product on the rest, filtered by grafts, which consume their
/// branch points for that input only. Joins hash on the shared branch points and the filter runs on
/// every partial result, so the work is linear in what is kept, never a cross product that is
/// filtered afterwards.
/// </summary>
public sealed class RealizationEnumerator
{
    readonly HyperWorkflow _workflow;
    readonly RealizationFilter _filter;
    readonly long _budget;
    readonly Dictionary<WorkflowStep, RealizationSet> _sets = new();
    long _produced;

    /// <param name="budget">Stop with <see cref="BudgetExceededException"/> after this many partial realizations (0: no limit).</param>
    public RealizationEnumerator(HyperWorkflow workflow, RealizationFilter filter, long budget = 0)
    {
        _workflow = workflow;
        _filter = filter;
        _budget = budget;
    }

    public sealed class BudgetExceededException : Exception;

    /// <summary>Set while diagnosing: why the first step left without realizations has none.</summary>
    public bool Diagnose { get; init; }
    public Dictionary<WorkflowStep, string> Why { get; } = new();

    public IReadOnlyDictionary<WorkflowStep, RealizationSet> Sets => _sets;

    /// <summary>How many partial realizations the pass built: linear in what it keeps.</summary>
    public long Produced => _produced;

    /// <summary>Every hyper step's realizations, in dependency order.</summary>
    public void RunAll()
    {
        foreach (var step in _workflow.Ordered) Run(step);
    }

    public RealizationSet Run(WorkflowStep step)
    {
        if (_sets.TryGetValue(step, out var done)) return done;
        var operands = step.Inputs.Concat(step.Params).ToList();
        List<BranchMap> result = new() { BranchMap.Empty };
        string? previous = null;
        foreach (var entry in operands)
        {
            var solutions = Solutions(entry.Value, step, entry.Name ?? entry.Spec.Metadata);
            if (solutions.Count == 0)
            {
                if (Diagnose && !Why.ContainsKey(step)) Why[step] = $"'{entry.Name ?? entry.Spec.Metadata}' has no possible value";
                result = solutions;
                break;
            }
            var joined = Join(result, solutions, step);
            if (joined.Count == 0 && Diagnose && !Why.ContainsKey(step))
                Why[step] = previous == null
                    ? $"'{entry.Name}' has no value that the plan allows"
                    : $"'{entry.Name}' and {previous} need different branches of a branch point they share";
            result = joined;
            if (result.Count == 0) break;
            previous = previous == null ? $"'{entry.Name}'" : previous + $", '{entry.Name}'";
        }
        var set = new RealizationSet();
        foreach (var map in result)
            if (_filter.Admits(step, map)) set.Add(map);
        _sets[step] = set;
        return set;
    }

    RealizationSet SourceSet(WorkflowStep source) =>
        source.IsHyper ? Run(source) : _empty;

    readonly RealizationSet _empty = RealizationSet.Single(BranchMap.Empty);

    void Count(int n)
    {
        _produced += n;
        if (_budget > 0 && _produced > _budget) throw new BudgetExceededException();
    }

    List<BranchMap> Solutions(Resolved value, WorkflowStep step, string entry)
    {
        switch (value)
        {
            case ResolvedLiteral:
                return new List<BranchMap> { BranchMap.Empty };
            case ResolvedNone:
                return new List<BranchMap>();
            case ResolvedChoice choice:
            {
                var seen = new HashSet<BranchMap>();
                var list = new List<BranchMap>();
                foreach (var (branch, child) in choice.Branches)
                    foreach (var s in Solutions(child, step, entry))
                        if (s.With(choice.BranchPoint, branch) is { } m && _filter.Admits(step, m) && seen.Add(m)) list.Add(m);
                Count(list.Count);
                return list;
            }
            case ResolvedGroup group:
            {
                List<BranchMap> acc = new() { BranchMap.Empty };
                foreach (var item in group.Items)
                {
                    acc = Join(acc, Solutions(item, step, entry), step);
                    if (acc.Count == 0) break;
                }
                return acc;
            }
            case ResolvedEdge edge:
            {
                var source = SourceSet(edge.Source);
                var seen = new HashSet<BranchMap>();
                var list = new List<BranchMap>();
                foreach (var parent in source.Matching(edge.Graft))
                {
                    if (!HasAll(parent, edge.Globs)) continue;
                    var m = parent.Without(edge.Consumed);
                    if (_filter.Admits(step, m) && seen.Add(m)) list.Add(m);
                }
                if (list.Count == 0 && Diagnose && source.Count > 0 && !Why.ContainsKey(step))
                    Why[step] = edge.Graft.Count + edge.Globs.Length == 0
                        ? $"no realization of '{edge.Source.Name}' suits input '{entry}'"
                        : $"the graft on input '{entry}' matches no realization of '{edge.Source.Name}'";
                Count(list.Count);
                return list;
            }
        }
        return new List<BranchMap>();
    }

    static bool HasAll(BranchMap map, int[] bps)
    {
        foreach (var bp in bps) if (!map.Has(bp)) return false;
        return true;
    }

    /// <summary>The natural join: pairs that agree on the branch points they share, merged.</summary>
    List<BranchMap> Join(List<BranchMap> left, List<BranchMap> right, WorkflowStep step)
    {
        if (left.Count == 0 || right.Count == 0) return new List<BranchMap>();
        if (left.Count == 1 && left[0].Count == 0) return right;
        if (right.Count == 1 && right[0].Count == 0) return left;
        var result = new List<BranchMap>();
        var seen = new HashSet<BranchMap>();
        var rightGroups = right.GroupBy(m => m.KeySet).Select(g => (Keys: g.First().BranchPointIds(), Maps: g.ToList())).ToList();
        foreach (var leftGroup in left.GroupBy(m => m.KeySet))
        {
            var leftKeys = leftGroup.First().BranchPointIds();
            foreach (var (rightKeys, rightMaps) in rightGroups)
            {
                var shared = leftKeys.Intersect(rightKeys).Order().ToArray();
                var byProjection = new Dictionary<string, List<BranchMap>>(StringComparer.Ordinal);
                foreach (var r in rightMaps)
                {
                    var key = r.Project(shared);
                    if (!byProjection.TryGetValue(key, out var list)) byProjection[key] = list = new List<BranchMap>();
                    list.Add(r);
                }
                foreach (var l in leftGroup)
                {
                    if (!byProjection.TryGetValue(l.Project(shared), out var matches)) continue;
                    foreach (var r in matches)
                        if (l.Merge(r) is { } m && _filter.Admits(step, m) && seen.Add(m)) result.Add(m);
                }
            }
        }
        Count(result.Count);
        return result;
    }
}
