namespace StepUp.Engine.Hyper;

/// <summary>
/// Builds the <see cref="HyperWorkflow"/> from the items: parses every value, registers the branch
/// points, inlines globals, copies parameter references, links inputs to the steps they reference,
/// orders the steps and computes the branch points each step can vary over. Every problem becomes a
/// diagnostic at the item's file, line and the column in the value (reference §9.8).
/// </summary>
public sealed class WorkflowBuilder
{
    sealed record GlobalDef(string Name, ValueNode Value, ItemSpec Item, ValueOrigin Origin);

    /// <summary>Where a value is resolved: in a step's entry or a global's value.</summary>
    sealed record Context(EntryKind Kind, string Assigned, ItemSpec Item, string Metadata, string Owner, WorkflowStep? Step);

    readonly HyperWorkflow _workflow = new();
    readonly List<Diagnostic> _problems;
    readonly ValueLocator _locator;
    readonly Dictionary<string, GlobalDef> _globals = new(StringComparer.Ordinal);
    readonly Dictionary<(string, EntryKind), Resolved?> _resolvedGlobals = new();
    readonly Dictionary<(WorkflowStep, string), Resolved?> _resolvedParams = new();
    readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
    readonly List<string> _chain = new();
    readonly List<(int Bp, WorkflowStep Source, ValueOrigin Origin, GraftTerm Term)> _paramGraftChecks = new();

    public WorkflowBuilder(List<Diagnostic> problems, ValueLocator locator)
    {
        _problems = problems;
        _locator = locator;
    }

    public HyperWorkflow Workflow => _workflow;

    /// <summary>An error at a value's position; the message also names the metadata and column.</summary>
    public Diagnostic Error(ValueOrigin origin, string code, string message) =>
        Diagnostic.Error(code, $"{message} ({origin.Describe()}, column {origin.Offset + 1} of the value)", _locator.Locate(origin));

    Diagnostic ErrorAt(ValueOrigin origin, string code, string message)
    {
        var d = Error(origin, code, message);
        _problems.Add(d);
        return d;
    }

    static string Raw(ItemSpec item, string name) => item.Metadata.TryGetValue(name, out var v) ? v : "";

    /// <summary>Reads the Global items; a name defined twice is an error that names both places.</summary>
    public void AddGlobals(IEnumerable<ItemSpec> items)
    {
        foreach (var item in items)
        {
            var name = item.Include.Trim();
            var origin = new ValueOrigin(item.Location, "Value", 0, $"global '{name}'");
            if (!Names.IsName(name))
            {
                _problems.Add(Diagnostic.Error(Codes.BadGlobal, $"Global '{name}' needs a name of the form [A-Za-z_][A-Za-z0-9_]*.", item.Location));
                continue;
            }
            if (_globals.TryGetValue(name, out var first))
            {
                _problems.Add(Diagnostic.Error(Codes.DuplicateGlobal,
                    $"Global '{name}' is defined twice: at {Place(item.Location)} and at {Place(first.Item.Location)}; define each global once.", item.Location));
                continue;
            }
            var raw = Raw(item, "Value");
            if (raw.Trim().Length == 0)
            {
                _problems.Add(Diagnostic.Error(Codes.EmptyValue, $"Global '{name}' has no Value.", item.Location));
                continue;
            }
            try
            {
                var value = ValueParser.ParseGlobal(raw, name);
                _globals[name] = new GlobalDef(name, value, item, origin);
            }
            catch (HyperSyntaxException e)
            {
                ErrorAt(origin with { Offset = e.Offset }, e.Code, e.Message);
            }
        }
    }

    static string Place(SourceLocation location) => $"{location.File}({location.Line})";

    /// <summary>Reads a Step item's entries; the step's name is checked by the caller.</summary>
    public WorkflowStep? AddStep(ItemSpec item, string name, int order)
    {
        var step = new WorkflowStep(name, item, order);
        foreach (var (metadata, kind) in new[] { ("Inp", EntryKind.Input), ("Out", EntryKind.Output), ("Params", EntryKind.Param) })
        {
            var origin = new ValueOrigin(item.Location, metadata, 0, $"step '{name}'");
            try
            {
                step.Entries.AddRange(ValueParser.ParseEntries(Raw(item, metadata), kind));
            }
            catch (HyperSyntaxException e)
            {
                ErrorAt(origin with { Offset = e.Offset }, e.Code, e.Message);
                return null;
            }
        }
        var seen = new Dictionary<string, EntrySpec>(StringComparer.Ordinal);
        foreach (var entry in step.Entries.Where(e => e.Name != null))
        {
            if (seen.TryGetValue(entry.Name!, out var other))
            {
                ErrorAt(Origin(step, entry) with { Offset = entry.Offset }, Codes.DuplicateEntry,
                    $"Step '{name}' names '{entry.Name}' twice (in {other.Metadata} and {entry.Metadata}); each input, output and parameter needs its own name.");
                return null;
            }
            seen[entry.Name!] = entry;
        }
        step.IsHyper = step.Entries.Any(e => e.Kind == EntryKind.Param || (e.Kind == EntryKind.Input && e.Explicit) || e.Value is not LiteralValue);
        _workflow.Steps[name] = step;
        return step;
    }

    /// <summary>A step planned as in §2 that hyper steps may reference by its named outputs.</summary>
    public void AddFixedStep(WorkflowStep step) => _workflow.Steps[step.Name] = step;

    static ValueOrigin Origin(WorkflowStep step, EntrySpec entry) =>
        new(step.Item.Location, entry.Metadata, entry.Value.Offset, $"step '{step.Name}'");

    public void AddPlans(IEnumerable<ItemSpec> items, PlanParser parser)
    {
        foreach (var item in items)
            if (parser.Parse(item, _workflow) is { } clause)
            {
                if (!_workflow.Plans.TryGetValue(clause.Plan, out var clauses)) _workflow.Plans[clause.Plan] = clauses = new();
                clauses.Add(clause);
            }
    }

    /// <summary>Registers the branch points, resolves every value, orders the steps and computes their spaces.</summary>
    public void Resolve()
    {
        var before = _problems.Count;
        foreach (var global in _globals.Values) Register(global.Value, global.Origin);
        foreach (var step in _workflow.Steps.Values)
            foreach (var entry in step.Entries)
                Register(entry.Value, new ValueOrigin(step.Item.Location, entry.Metadata, 0, $"step '{step.Name}'"));
        if (_problems.Count != before) return;

        foreach (var step in _workflow.Steps.Values.Where(s => s.Entries.Count > 0).OrderBy(s => s.Order))
        {
            foreach (var entry in step.Entries)
            {
                var context = new Context(entry.Kind, entry.Name ?? "", step.Item, entry.Metadata, $"step '{step.Name}'", step);
                switch (entry.Kind)
                {
                    case EntryKind.Output:
                        if (ResolveOutput(entry, context) is { } path) step.Outputs.Add((entry.Name, path));
                        break;
                    case EntryKind.Input:
                        if (Resolve(entry.Value, context) is { } input) step.Inputs.Add(new ResolvedEntry(entry.Name, entry, input));
                        break;
                    case EntryKind.Param:
                        if (ResolveParam(step, entry.Name!) is { } param) step.Params.Add(new ResolvedEntry(entry.Name, entry, param));
                        break;
                }
            }
            foreach (var edge in step.Inputs.SelectMany(i => EdgesIn(i.Value))) step.Edges.Add(edge);
            if (step.Edges.Count > 0) step.IsHyper = true;
        }
        if (_problems.Count != before) return;
        Order();
        if (_problems.Count != before) return;
        ComputeSpaces();
    }

    void Register(ValueNode node, ValueOrigin origin)
    {
        switch (node)
        {
            case BranchPointValue bp:
                _workflow.Registry.Register(bp, origin with { Offset = bp.Offset }, (o, code, message) => Error(o, code, message), _problems);
                foreach (var branch in bp.Branches) Register(branch.Value, origin);
                break;
        }
    }

    static IEnumerable<ResolvedEdge> EdgesIn(Resolved value) => value switch
    {
        ResolvedEdge edge => new[] { edge },
        ResolvedChoice choice => choice.Branches.SelectMany(b => EdgesIn(b.Value)),
        ResolvedGroup group => group.Items.SelectMany(EdgesIn),
        _ => Array.Empty<ResolvedEdge>(),
    };

    /// <summary>An output's value may not vary: a literal, or a global that is one.</summary>
    string? ResolveOutput(EntrySpec entry, Context context)
    {
        var origin = new ValueOrigin(context.Item.Location, entry.Metadata, entry.Value.Offset, context.Owner);
        var value = Resolve(entry.Value, context);
        if (value == null) return null;
        if (value is ResolvedLiteral literal) return literal.Text;
        ErrorAt(origin, Codes.VaryingOutput,
            $"Output '{entry.Name ?? "(unnamed)"}' of {context.Owner} varies; an output is a fixed path in the step's working folder (each realization has its own folder).");
        return null;
    }

    Resolved? ResolveParam(WorkflowStep step, string name)
    {
        var key = (step, name);
        if (_resolvedParams.TryGetValue(key, out var done)) return done;
        var label = $"$${name}@{step.Name}";
        var entry = step.Entry(name)!;
        if (!_inProgress.Add(label))
        {
            ErrorAt(Origin(step, entry), Codes.ReferenceCycle, "Parameters refer to each other in a cycle: " + string.Join(" -> ", _chain.SkipWhile(c => c != label).Append(label)) + ".");
            return _resolvedParams[key] = null;
        }
        _chain.Add(label);
        var value = Resolve(entry.Value, new Context(EntryKind.Param, name, step.Item, entry.Metadata, $"step '{step.Name}'", step));
        _chain.RemoveAt(_chain.Count - 1);
        _inProgress.Remove(label);
        return _resolvedParams[key] = value;
    }

    Resolved? ResolveGlobal(GlobalDef global, EntryKind kind)
    {
        var key = (global.Name, kind);
        if (_resolvedGlobals.TryGetValue(key, out var done)) return done;
        var label = "$" + global.Name;
        if (!_inProgress.Add(label))
        {
            ErrorAt(global.Origin, Codes.ReferenceCycle, "Globals refer to each other in a cycle: " + string.Join(" -> ", _chain.SkipWhile(c => c != label).Append(label)) + ".");
            return _resolvedGlobals[key] = null;
        }
        _chain.Add(label);
        var value = Resolve(global.Value, new Context(kind, global.Name, global.Item, "Value", $"global '{global.Name}'", null));
        _chain.RemoveAt(_chain.Count - 1);
        _inProgress.Remove(label);
        return _resolvedGlobals[key] = value;
    }

    Resolved? Resolve(ValueNode node, Context context)
    {
        var origin = new ValueOrigin(context.Item.Location, context.Metadata, node.Offset, context.Owner);
        switch (node)
        {
            case LiteralValue literal:
                return new ResolvedLiteral(literal.Text);

            case BranchPointValue bp:
            {
                if (context.Kind == EntryKind.Output)
                {
                    ErrorAt(origin, Codes.VaryingOutput, $"An output's value may not be a branch point ({bp.Name}); vary an input or a parameter instead.");
                    return null;
                }
                var id = _workflow.Registry.Find(bp.Name)!.Value;
                var branches = new List<(int, Resolved)>();
                foreach (var branch in bp.Branches)
                {
                    var value = Resolve(branch.Value, context);
                    if (value == null) return null;
                    branches.Add((_workflow.Registry.FindBranch(id, branch.Name)!.Value, value));
                }
                return new ResolvedChoice(id, branches);
            }

            case GlobalValue g:
            {
                var name = g.Name ?? context.Assigned;
                if (!_globals.TryGetValue(name, out var global))
                {
                    ErrorAt(origin, Codes.UnknownGlobal, g.Name == null
                        ? $"'@' stands for the global '{name}', which is not defined; add <Global Include=\"{name}\" Value=\"...\" />."
                        : $"Global '{name}' is not defined; add <Global Include=\"{name}\" Value=\"...\" /> (or pass a config with -p:StepUpConfig=...).");
                    return null;
                }
                var value = ResolveGlobal(global, context.Kind);
                if (value == null) return null;
                if (context.Kind == EntryKind.Param && EdgesIn(value).Any())
                {
                    ErrorAt(origin, Codes.ParamRefersToOutput, $"Parameter '{context.Assigned}' takes global '{name}', which refers to an output of a step; a parameter is a value, not a file: use Inp.");
                    return null;
                }
                return g.Graft == null ? value : ApplyGraft(value, g.Graft, origin, null);
            }

            case ReferenceValue r:
            {
                var entryName = r.Entry ?? context.Assigned;
                if (!_workflow.Steps.TryGetValue(r.Step, out var source))
                {
                    ErrorAt(origin, Codes.UnknownStep, $"'{(r.Entry == null ? "@" : "$" + r.Entry + "@")}{r.Step}' refers to step '{r.Step}', which does not exist.");
                    return null;
                }
                if (context.Kind == EntryKind.Output)
                {
                    ErrorAt(origin, Codes.VaryingOutput, "An output's value may not refer to another step; it is a path in the step's own working folder.");
                    return null;
                }
                var target = source.Entry(entryName);
                var isOutput = target?.Kind == EntryKind.Output || (target == null && source.FixedOutputs.ContainsKey(entryName));
                if (context.Kind == EntryKind.Input)
                {
                    if (!isOutput)
                    {
                        ErrorAt(origin, target?.Kind == EntryKind.Param ? Codes.InputRefersToParam : Codes.UnknownEntry, target?.Kind == EntryKind.Param
                            ? $"Input '{context.Assigned}' refers to parameter '{entryName}' of step '{source.Name}'; an input takes an output (Out) of a step: use Params to copy a parameter."
                            : $"Step '{source.Name}' has no output named '{entryName}'{Known(source, EntryKind.Output)}.");
                        return null;
                    }
                    var (graft, globs) = EdgeGraft(r.Graft, origin);
                    if (graft == null) return null;
                    return new ResolvedEdge(source, entryName, graft, globs!, origin);
                }
                // A parameter copies the other step's parameter, branch points included, without an edge.
                if (isOutput)
                {
                    ErrorAt(origin, Codes.ParamRefersToOutput, $"Parameter '{context.Assigned}' refers to output '{entryName}' of step '{source.Name}'; a parameter is a value, not a file: use Inp.");
                    return null;
                }
                if (target?.Kind != EntryKind.Param)
                {
                    ErrorAt(origin, Codes.UnknownEntry, $"Step '{source.Name}' has no parameter named '{entryName}'{Known(source, EntryKind.Param)}.");
                    return null;
                }
                var copied = ResolveParam(source, entryName);
                if (copied == null) return null;
                return r.Graft == null ? copied : ApplyGraft(copied, r.Graft, origin, source);
            }
        }
        return null;
    }

    static string Known(WorkflowStep step, EntryKind kind)
    {
        var names = step.Entries.Where(e => e.Kind == kind && e.Name != null).Select(e => e.Name!)
            .Concat(kind == EntryKind.Output ? step.FixedOutputs.Keys : Array.Empty<string>()).Distinct().ToList();
        return names.Count == 0 ? $" (it has none)" : $" (it has {string.Join(", ", names)})";
    }

    (int Bp, int? Branch)? Term(GraftTerm term, ValueOrigin origin)
    {
        var registry = _workflow.Registry;
        var at = origin with { Offset = term.Offset };
        if (registry.Find(term.BranchPoint) is not { } bp)
        {
            ErrorAt(at, Codes.UnknownBranchPoint, $"The graft [{term}] names branch point {term.BranchPoint}, which no value defines.");
            return null;
        }
        if (term.Branch == null) return (bp, null);
        if (registry.FindBranch(bp, term.Branch) is not { } branch)
        {
            ErrorAt(at, Codes.UnknownBranch, $"The graft [{term}] names branch '{term.Branch}', but {term.BranchPoint} has ({string.Join(" ", registry.Branches(bp))}).");
            return null;
        }
        return (bp, branch);
    }

    (BranchMap? Graft, int[]? Globs) EdgeGraft(GraftSpec? spec, ValueOrigin origin)
    {
        if (spec == null) return (BranchMap.Empty, Array.Empty<int>());
        var fixedPairs = new List<(int, int)>();
        var globs = new List<int>();
        foreach (var term in spec.Terms)
        {
            if (Term(term, origin) is not { } t) return (null, null);
            if (t.Branch is { } b) fixedPairs.Add((t.Bp, b)); else globs.Add(t.Bp);
        }
        globs.Sort();
        return (BranchMap.Of(fixedPairs), globs.ToArray());
    }

    /// <summary>
    /// A graft on a static value (a global, a copied parameter) picks the grafted branch of each of
    /// its branch points, and a glob collects every branch; on an input that links to a step it
    /// becomes that input's graft. A branch point the value does not have is left alone, so
    /// <c>(BP1: b1=$g1[BP1:b1] b2=$g2[BP1:b2])</c> keeps both branches (ducttape #87, #88).
    /// </summary>
    Resolved? ApplyGraft(Resolved value, GraftSpec spec, ValueOrigin origin, WorkflowStep? source)
    {
        var fixedPairs = new Dictionary<int, int>();
        var globs = new HashSet<int>();
        foreach (var term in spec.Terms)
        {
            if (Term(term, origin) is not { } t) return null;
            if (t.Branch is { } b) fixedPairs[t.Bp] = b; else globs.Add(t.Bp);
            if (source != null) _paramGraftChecks.Add((t.Bp, source, origin with { Offset = term.Offset }, term));
        }
        return Graft(value, fixedPairs, globs);
    }

    Resolved Graft(Resolved value, Dictionary<int, int> fixedPairs, HashSet<int> globs)
    {
        switch (value)
        {
            case ResolvedChoice choice when fixedPairs.TryGetValue(choice.BranchPoint, out var branch):
                return choice.ValueOf(branch) is { } picked ? Graft(picked, fixedPairs, globs) : ResolvedNone.Instance;
            case ResolvedChoice choice when globs.Contains(choice.BranchPoint):
                return new ResolvedGroup(choice.Branches.OrderBy(b => b.Branch).Select(b => Graft(b.Value, fixedPairs, globs)).ToList());
            case ResolvedChoice choice:
                return new ResolvedChoice(choice.BranchPoint, choice.Branches.Select(b => (b.Branch, Graft(b.Value, fixedPairs, globs))).ToList());
            case ResolvedGroup group:
                return new ResolvedGroup(group.Items.Select(i => Graft(i, fixedPairs, globs)).ToList());
            case ResolvedEdge edge:
            {
                // An input's own graft has consumed its branch points already: an outer graft of the
                // same branch point does not reach through it.
                var consumed = edge.Consumed;
                var graft = edge.Graft.Merge(BranchMap.Of(fixedPairs.Where(p => !consumed.Contains(p.Key)).Select(p => (p.Key, p.Value))))!;
                var moreGlobs = edge.Globs.Concat(globs.Where(g => !consumed.Contains(g) && !fixedPairs.ContainsKey(g))).Distinct().Order().ToArray();
                return edge.With(graft, moreGlobs);
            }
            default:
                return value;
        }
    }

    /// <summary>Orders the hyper steps so that each comes after its sources; a cycle is an error.</summary>
    void Order()
    {
        var hyper = _workflow.Steps.Values.Where(s => s.IsHyper).OrderBy(s => s.Order).ToList();
        var pending = hyper.ToDictionary(s => s, s => s.Sources.Count(src => src.IsHyper && src != s));
        foreach (var step in hyper)
        {
            if (step.Sources.Contains(step))
            {
                var edge = step.Edges.First(e => e.Source == step);
                ErrorAt(edge.Origin, Codes.ReferenceCycle, $"Step '{step.Name}' takes an input from its own output '{edge.Output}'.");
                return;
            }
            foreach (var source in step.Sources.Where(s => s.IsHyper))
            {
                if (!_workflow.Consumers.TryGetValue(source, out var list)) _workflow.Consumers[source] = list = new();
                list.Add(step);
            }
        }
        var ready = new Queue<WorkflowStep>(hyper.Where(s => pending[s] == 0));
        while (ready.Count > 0)
        {
            var step = ready.Dequeue();
            _workflow.Ordered.Add(step);
            if (_workflow.Consumers.TryGetValue(step, out var consumers))
                foreach (var consumer in consumers)
                    if (--pending[consumer] == 0) ready.Enqueue(consumer);
        }
        if (_workflow.Ordered.Count == hyper.Count) return;
        var stuck = hyper.Where(s => pending[s] > 0).ToHashSet();
        var cycle = FindCycle(stuck);
        ErrorAt(cycle[0].Edges.First(e => e.Source == cycle[1 % cycle.Count]).Origin, Codes.ReferenceCycle,
            "Steps take inputs from each other in a cycle: " + string.Join(" -> ", cycle.Append(cycle[0]).Select(s => s.Name)) + ".");
    }

    static List<WorkflowStep> FindCycle(HashSet<WorkflowStep> stuck)
    {
        // Every stuck step waits for a stuck source: walking sources must come back to a step seen before.
        var path = new List<WorkflowStep>();
        var seen = new Dictionary<WorkflowStep, int>();
        var step = stuck.OrderBy(s => s.Order).First();
        while (!seen.ContainsKey(step))
        {
            seen[step] = path.Count;
            path.Add(step);
            step = step.Sources.Where(stuck.Contains).OrderBy(s => s.Order).First();
        }
        return path.Skip(seen[step]).ToList();
    }

    /// <summary>
    /// A step's space: the branch points of its own values and those of its sources that no graft
    /// consumed. A graft or glob must name a branch point its source has.
    /// </summary>
    void ComputeSpaces()
    {
        var registry = _workflow.Registry;
        foreach (var step in _workflow.Ordered)
        {
            foreach (var entry in step.Inputs.Concat(step.Params)) AddLocal(step.Space, entry.Value);
            foreach (var edge in step.Edges)
            {
                foreach (var bp in edge.Consumed)
                    if (!edge.Source.Space.Contains(bp))
                    {
                        ErrorAt(edge.Origin, Codes.GraftNotInSource,
                            $"The graft on ${edge.Output}@{edge.Source.Name} names branch point {registry.Name(bp)}, but step '{edge.Source.Name}' does not vary over it"
                            + (edge.Source.Space.Count == 0 ? "." : $" (it varies over {string.Join(", ", edge.Source.Space.Select(registry.Name).Order(StringComparer.Ordinal))})."));
                    }
                foreach (var bp in edge.Source.Space)
                    if (!edge.Consumed.Contains(bp)) step.Space.Add(bp);
                foreach (var (bp, branch) in edge.Graft.Pairs) step.Grafts.Add((bp, branch));
                foreach (var bp in edge.Globs)
                    for (var b = 0; b < registry.Branches(bp).Count; b++) step.Grafts.Add((bp, b));
            }
        }
        foreach (var (bp, source, origin, term) in _paramGraftChecks)
            if (!source.Space.Contains(bp))
                ErrorAt(origin, Codes.GraftNotInSource, $"The graft [{term}] names branch point {term.BranchPoint}, but step '{source.Name}' does not vary over it.");
    }

    static void AddLocal(HashSet<int> space, Resolved value)
    {
        switch (value)
        {
            case ResolvedChoice choice:
                space.Add(choice.BranchPoint);
                foreach (var (_, v) in choice.Branches) AddLocal(space, v);
                break;
            case ResolvedGroup group:
                foreach (var item in group.Items) AddLocal(space, item);
                break;
        }
    }
}
