namespace StepUp.Engine.Hyper;

/// <summary>
/// Chooses the realizations to build (reference §9.4). Without plans, ducttape's one-off rule: every
/// step is a goal and a realization may have one non-baseline branch. With plans, each clause is a
/// forward pass filtered by its branches; its goals are the realizations of the steps it reaches
/// that pass the clause strictly, and what they need is added by a backward closure over inputs.
/// Branches grafted downstream are relaxed in the forward pass (not in the goals), so grafted inputs
/// find their sources without adding work outside the goals' closure (ducttape #63, #162).
/// </summary>
public sealed class PlanSelector
{
    /// <summary>Partial realizations a diagnosing or listing pass may build before it gives up.</summary>
    public const long ExplainBudget = 200_000;

    readonly HyperWorkflow _workflow;
    readonly Instantiator _instantiator;
    readonly List<Diagnostic> _problems;
    readonly Func<WorkflowStep, string, Diagnostic> _stepError;
    readonly Dictionary<WorkflowStep, Dictionary<string, Instance>> _selected = new();

    public PlanSelector(HyperWorkflow workflow, Instantiator instantiator, List<Diagnostic> problems, Func<WorkflowStep, string, Diagnostic> stepError)
    {
        _workflow = workflow;
        _instantiator = instantiator;
        _problems = problems;
        _stepError = stepError;
        foreach (var step in workflow.Ordered) _selected[step] = new Dictionary<string, Instance>(StringComparer.Ordinal);
        Relaxed = Relaxations(workflow);
        foreach (var step in workflow.Ordered)
            if (step.Space.Count == 0 && step.Grafts.Count == 0 && step.Sources.All(s => !s.IsHyper || _branchFree.Contains(s)))
                _branchFree.Add(step);
    }

    /// <summary>Hyper steps that neither they nor their sources vary over or graft any branch point.</summary>
    readonly HashSet<WorkflowStep> _branchFree = new();

    /// <summary>Per step, the branches it or a step downstream of it grafts.</summary>
    public Dictionary<WorkflowStep, HashSet<(int Bp, int Branch)>> Relaxed { get; }

    /// <summary>The plans in use (empty: the one-off rule).</summary>
    public List<string> PlansUsed { get; } = new();

    /// <summary>The selected realizations of a step.</summary>
    public IReadOnlyDictionary<string, Instance> Selected(WorkflowStep step) => _selected[step];

    static Dictionary<WorkflowStep, HashSet<(int, int)>> Relaxations(HyperWorkflow workflow)
    {
        var relaxed = new Dictionary<WorkflowStep, HashSet<(int, int)>>();
        for (var i = workflow.Ordered.Count - 1; i >= 0; i--)
        {
            var step = workflow.Ordered[i];
            var set = new HashSet<(int, int)>(step.Grafts);
            if (workflow.Consumers.TryGetValue(step, out var consumers))
                foreach (var consumer in consumers) set.UnionWith(relaxed[consumer]);
            relaxed[step] = set;
        }
        return relaxed;
    }

    /// <param name="selection">The plans named by StepUpPlan; empty: every plan.</param>
    public void Select(IReadOnlyList<string> selection)
    {
        var forwardCounts = new Dictionary<WorkflowStep, int>();
        void Count(RealizationEnumerator pass)
        {
            foreach (var (step, set) in pass.Sets) forwardCounts[step] = forwardCounts.GetValueOrDefault(step) + set.Count;
        }

        if (_workflow.Plans.Count == 0)
        {
            if (selection.Count > 0)
            {
                _problems.Add(Diagnostic.Error(Codes.UnknownPlan, $"StepUpPlan names {string.Join(", ", selection.Select(s => "'" + s + "'"))}, but the project has no <Plan>."));
                return;
            }
            var pass = new RealizationEnumerator(_workflow, new OneOffFilter(Relaxed));
            pass.RunAll();
            Count(pass);
            foreach (var step in _workflow.Ordered)
                foreach (var map in pass.Sets[step].Items) Add(step, map);
        }
        else
        {
            var names = selection.Count > 0 ? selection.ToList() : _workflow.Plans.Keys.Order(StringComparer.Ordinal).ToList();
            foreach (var name in names.Where(n => !_workflow.Plans.ContainsKey(n)))
                _problems.Add(Diagnostic.Error(Codes.UnknownPlan,
                    $"StepUpPlan names plan '{name}', which the project does not define (it has {string.Join(", ", _workflow.Plans.Keys.Order(StringComparer.Ordinal))})."));
            foreach (var name in names.Where(_workflow.Plans.ContainsKey))
            {
                PlansUsed.Add(name);
                foreach (var clause in _workflow.Plans[name]) SelectClause(clause, Count);
            }
        }
        ReportStepsWithoutRealizations(forwardCounts);
    }

    void SelectClause(PlanClause clause, Action<RealizationEnumerator> count)
    {
        var pass = new RealizationEnumerator(_workflow, new ClauseFilter(clause, Relaxed));
        pass.RunAll();
        count(pass);
        var strict = new ClauseFilter(clause, null);
        var goals = 0;
        foreach (var name in clause.Reach)
        {
            var step = _workflow.Steps[name];
            if (!step.IsHyper) { goals++; continue; }
            foreach (var map in pass.Sets[step].Items.Where(m => strict.Admits(step, m)))
            {
                Add(step, map);
                goals++;
            }
        }
        // A step without any branch point always runs, as it would without plans.
        foreach (var step in _workflow.Ordered.Where(_branchFree.Contains))
            foreach (var map in pass.Sets[step].Items) Add(step, map);
        if (goals == 0)
            _problems.Add(Diagnostic.Error(Codes.PlanReachesNothing,
                $"The clause of {clause.Describe()} reaches nothing: no realization of {string.Join(", ", clause.Reach.Select(r => "'" + r + "'"))} has only branches it lists"
                + (clause.Via.Length == 0 ? " (without Via, only baselines)." : "."), clause.Location));
    }

    /// <summary>Adds a realization and, through their inputs, the realizations it needs.</summary>
    bool Add(WorkflowStep step, BranchMap map)
    {
        var instance = _instantiator.Evaluate(step, map);
        if (instance == null || _selected[step].ContainsKey(instance.Canonical!)) return false;
        var stack = new Stack<Instance>();
        stack.Push(instance);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (!_selected[next.Step].TryAdd(next.Canonical!, next)) continue;
            foreach (var parent in next.Parents) stack.Push(parent);
        }
        return true;
    }

    /// <summary>
    /// A step that no forward pass gave a realization is an error when the algebra itself leaves
    /// it none (a graft or a join removed them all), not when the plan left it out.
    /// </summary>
    void ReportStepsWithoutRealizations(Dictionary<WorkflowStep, int> forwardCounts)
    {
        if (_workflow.Ordered.All(s => forwardCounts.GetValueOrDefault(s) > 0)) return;
        var diagnosis = new RealizationEnumerator(_workflow, RealizationFilter.None, ExplainBudget) { Diagnose = true };
        try { diagnosis.RunAll(); }
        catch (RealizationEnumerator.BudgetExceededException) { return; }
        foreach (var step in _workflow.Ordered)
            if (diagnosis.Sets[step].Count == 0 && diagnosis.Why.TryGetValue(step, out var why))
                _problems.Add(_stepError(step, $"Step '{step.Name}' has no realization: {why}."));
    }

    /// <summary>
    /// For StepUpList at detailed verbosity: the realizations the plan or a graft left out, and why.
    /// </summary>
    public List<string> Explain(int perStepLimit = 50)
    {
        var lines = new List<string>();
        var all = new RealizationEnumerator(_workflow, RealizationFilter.None, ExplainBudget);
        try { all.RunAll(); }
        catch (RealizationEnumerator.BudgetExceededException)
        {
            lines.Add($"the workflow has more than {ExplainBudget:N0} realizations in all; only the planned ones are listed");
            return lines;
        }
        var registry = _workflow.Registry;
        foreach (var step in _workflow.Ordered)
        {
            var shown = 0;
            var left = 0;
            foreach (var map in all.Sets[step].Items)
            {
                var instance = _instantiator.Evaluate(step, map);
                if (instance == null || _selected[step].ContainsKey(instance.Canonical!)) continue;
                if (shown++ < perStepLimit) lines.Add($"{step.Name} {instance.Canonical}: {WhyLeftOut(step, instance.Realization)}");
                else left++;
            }
            if (left > 0) lines.Add($"{step.Name}: {left} more left out");
            foreach (var edge in step.Edges.Where(e => e.Consumed.Count > 0 && e.Source.IsHyper).Distinct())
            {
                var graft = string.Join(",", edge.Graft.Pairs.Select(p => registry.Name(p.Bp) + ":" + registry.BranchName(p.Bp, p.Branch))
                    .Concat(edge.Globs.Select(g => registry.Name(g) + ":*")));
                var skipped = _selected[edge.Source].Values
                    .Where(p => !p.Realization.Contains(edge.Graft) || edge.Globs.Any(g => !p.Realization.Has(g)))
                    .Select(p => p.Canonical).Take(perStepLimit + 1).ToList();
                foreach (var canonical in skipped.Take(perStepLimit))
                    lines.Add($"{step.Name}: input ${edge.Output}@{edge.Source.Name}[{graft}] leaves out {edge.Source.Name} {canonical}");
            }
        }
        return lines;
    }

    string WhyLeftOut(WorkflowStep step, BranchMap realization)
    {
        var registry = _workflow.Registry;
        string Branch((int Bp, int Branch) p) => registry.Name(p.Bp) + "." + registry.BranchName(p.Bp, p.Branch);
        if (PlansUsed.Count == 0)
        {
            var nonBaseline = realization.Pairs.Where(p => p.Branch != 0 && !Relaxed[step].Contains(p)).OrderBy(Branch, StringComparer.Ordinal).ToList();
            return nonBaseline.Count > 1
                ? $"left out by the one-off rule: {nonBaseline.Count} non-baseline branches ({string.Join(", ", nonBaseline.Select(Branch))}); add a <Plan> to build it"
                : "left out: no realization that is built needs it";
        }
        var clauses = PlansUsed.SelectMany(p => _workflow.Plans[p]).ToList();
        var refused = clauses.Select(c => realization.Pairs.Where(p => !c.Allows(p.Bp, p.Branch)).DefaultIfEmpty((Bp: -1, Branch: -1)).First()).ToList();
        if (refused.All(r => r.Bp >= 0))
            return $"left out by plan {string.Join(", ", PlansUsed.Select(p => "'" + p + "'"))}: no clause lists all of its branches (for example {Branch(refused[0])})";
        return $"left out by plan {string.Join(", ", PlansUsed.Select(p => "'" + p + "'"))}: no goal of the plan needs it";
    }
}
