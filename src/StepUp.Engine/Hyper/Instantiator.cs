namespace StepUp.Engine.Hyper;

/// <summary>
/// Resolves one realization of a step: at each branch point it takes the branch the target names
/// (a branch point the target does not name is at its baseline), and for each input the source's
/// realization with the same branches, the graft's branches replacing the consumed ones. The same
/// walk turns the realizations a forward pass found into values, and checks whether a realization
/// recorded in the graph can still be produced (reference §9.4), without enumerating anything.
/// Results are memoized per step and target, so shared ancestors are resolved once.
/// </summary>
public sealed class Instantiator
{
    readonly HyperWorkflow _workflow;
    readonly string _root;
    readonly string _realizationsDir;
    readonly Dictionary<(WorkflowStep, BranchMap), Instance?> _memo = new();
    readonly Dictionary<WorkflowStep, Instance> _fixed = new();

    public Instantiator(HyperWorkflow workflow, string root, string realizationsDir)
    {
        _workflow = workflow;
        _root = root;
        _realizationsDir = realizationsDir;
    }

    BranchPointRegistry Registry => _workflow.Registry;

    /// <summary>The realization of <paramref name="step"/> that the target's branches select, or null when there is none.</summary>
    public Instance? Evaluate(WorkflowStep step, BranchMap target)
    {
        if (!step.IsHyper) return Fixed(step);
        var key = (step, Normalize(step, target));
        if (_memo.TryGetValue(key, out var done)) return done;
        _memo[key] = null; // a reference cycle was rejected earlier; this only guards the walk
        return _memo[key] = Walk(step, key.Item2);
    }

    /// <summary>
    /// The realization named exactly by <paramref name="nonBaseline"/> (its non-baseline branches),
    /// or null when the workflow cannot produce it: a branch point the step does not have there, a
    /// graft no source realization satisfies, a branch a value does not list.
    /// </summary>
    public Instance? Exactly(WorkflowStep step, BranchMap nonBaseline)
    {
        var instance = Evaluate(step, nonBaseline);
        if (instance == null) return null;
        var named = instance.Realization.Only(bp => instance.Realization.Get(bp) != 0);
        return named.Equals(nonBaseline) ? instance : null;
    }

    static BranchMap Normalize(WorkflowStep step, BranchMap target) =>
        target.Only(bp => step.Space.Contains(bp) && target.Get(bp) != 0);

    Instance Fixed(WorkflowStep step)
    {
        if (_fixed.TryGetValue(step, out var instance)) return instance;
        instance = new Instance { Step = step, Realization = BranchMap.Empty, Workdir = step.Workdir ?? "." };
        if (step.Entries.Count > 0 && !Fill(step, BranchMap.Empty, instance, new Dictionary<int, int>()))
            throw new InvalidOperationException("A step without branch points has no value.");
        return _fixed[step] = instance;
    }

    Instance? Walk(WorkflowStep step, BranchMap target)
    {
        var used = new Dictionary<int, int>();
        // The folder depends on the realization, known only after the walk: values are collected
        // first and the instance is built from them.
        var probe = new Instance { Step = step, Realization = BranchMap.Empty, Workdir = "" };
        if (!Fill(step, target, probe, used)) return null;
        var realization = BranchMap.Of(used.Select(p => (p.Key, p.Value)));
        var canonical = RealizationName.Canonical(realization, Registry);
        var folder = RealizationName.Folder(canonical);
        var instance = new Instance
        {
            Step = step,
            Realization = realization,
            Canonical = canonical,
            Folder = folder,
            Workdir = step.Workdir ?? PathRules.Normalize(_root, ".", _realizationsDir + "/" + step.Name + "/" + folder),
        };
        instance.Inputs.AddRange(probe.Inputs);
        instance.Literals.UnionWith(probe.Literals);
        instance.Params.AddRange(probe.Params);
        foreach (var parent in probe.Parents) instance.AddParent(parent);
        return instance;
    }

    bool Fill(WorkflowStep step, BranchMap target, Instance into, Dictionary<int, int> used)
    {
        var literalBase = step.Workdir ?? ".";
        foreach (var entry in step.Inputs)
        {
            var values = new List<string>();
            var literal = (string text) =>
            {
                var path = PathRules.Normalize(_root, literalBase, text);
                into.Literals.Add(path);
                return path;
            };
            if (!Values(entry.Value, target, used, values, into, literal)) return false;
            into.Inputs.Add((entry, values));
        }
        foreach (var entry in step.Params)
        {
            var values = new List<string>();
            if (!Values(entry.Value, target, used, values, into, text => text)) return false;
            into.Params.Add((entry, values));
        }
        return true;
    }

    static bool Use(Dictionary<int, int> used, int bp, int branch)
    {
        if (used.TryGetValue(bp, out var had)) return had == branch;
        used[bp] = branch;
        return true;
    }

    bool Values(Resolved value, BranchMap target, Dictionary<int, int> used, List<string> values, Instance into, Func<string, string> literal)
    {
        switch (value)
        {
            case ResolvedLiteral l:
                values.Add(literal(l.Text));
                return true;
            case ResolvedNone:
                return false;
            case ResolvedChoice choice:
            {
                var branch = Math.Max(0, target.Get(choice.BranchPoint));
                if (choice.ValueOf(branch) is not { } picked || !Use(used, choice.BranchPoint, branch)) return false;
                return Values(picked, target, used, values, into, literal);
            }
            case ResolvedGroup group:
                foreach (var item in group.Items)
                    if (!Values(item, target, used, values, into, literal)) return false;
                return true;
            case ResolvedEdge edge:
                return Edge(edge, target, used, values, into);
        }
        return false;
    }

    bool Edge(ResolvedEdge edge, BranchMap target, Dictionary<int, int> used, List<string> values, Instance into)
    {
        var through = target.Without(edge.Consumed).Merge(edge.Graft)!;
        if (edge.Globs.Length == 0)
        {
            var parent = Evaluate(edge.Source, through);
            return parent != null && parent.Realization.Contains(edge.Graft) && Take(edge, parent, used, values, into);
        }
        // A glob: one source realization per combination of the globbed branches, in branch order.
        var members = 0;
        foreach (var combination in Combinations(edge.Globs))
        {
            var parent = Evaluate(edge.Source, through.Merge(combination)!);
            if (parent == null || !parent.Realization.Contains(edge.Graft) || !parent.Realization.Contains(combination)) continue;
            if (!Take(edge, parent, used, values, into)) return false;
            members++;
        }
        return members > 0;
    }

    bool Take(ResolvedEdge edge, Instance parent, Dictionary<int, int> used, List<string> values, Instance into)
    {
        foreach (var (bp, branch) in parent.Realization.Pairs)
            if (!edge.Consumed.Contains(bp) && !Use(used, bp, branch)) return false;
        values.Add(OutputPath(parent, edge.Output));
        if (edge.Source.IsHyper) into.AddParent(parent);
        return true;
    }

    IEnumerable<BranchMap> Combinations(int[] globs)
    {
        IEnumerable<List<(int, int)>> combos = new[] { new List<(int, int)>() };
        foreach (var bp in globs)
        {
            var count = Registry.Branches(bp).Count;
            var point = bp;
            combos = combos.SelectMany(c => Enumerable.Range(0, count).Select(b => new List<(int, int)>(c) { (point, b) }));
        }
        return combos.Select(BranchMap.Of);
    }

    /// <summary>The root-relative path of a named output of a step's realization.</summary>
    public string OutputPath(Instance instance, string output)
    {
        var step = instance.Step;
        if (step.FixedOutputs.TryGetValue(output, out var path) && step.Entries.Count == 0) return path;
        var written = step.Outputs.First(o => o.Name == output).Path;
        return PathRules.Normalize(_root, instance.Workdir, written);
    }
}
