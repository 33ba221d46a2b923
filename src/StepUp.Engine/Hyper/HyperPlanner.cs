namespace StepUp.Engine.Hyper;

/// <summary>
/// Turns the Step items that use the value language, the Global and Plan items and the settings
/// into step definitions, one per realization (reference §9): key and label <c>step/realization</c>,
/// run in its realization folder, named entries as <c>${name}</c> placeholders and environment
/// variables. The realizations the plans select are wanted; realizations the graph holds that the
/// workflow can still produce stay, left out of this build, so that their results are reused when a
/// plan selects them again.
/// </summary>
public sealed class HyperPlanner
{
    public const string DefaultRealizationsDir = "realizations";

    /// <summary>The item the task sends with StepUpPlan and StepUpRealizationsDir.</summary>
    public const string SettingsItem = "Settings";

    sealed record StepMeta(string Command, string? Workdir, List<string> Vol, List<string> Env, bool Optional, bool Planning, Dictionary<string, int> Resources);

    readonly string _root;
    readonly Plan _plan;
    readonly PlanningContext? _context;
    readonly ValueLocator _locator = new();
    readonly WorkflowBuilder _builder;
    readonly List<(ItemSpec Item, WorkflowStep Step, StepMeta Meta)> _steps = new();
    readonly List<(ItemSpec Item, StepDefinition Definition, int Order)> _fixed = new();
    readonly List<ItemSpec> _globals = new();
    readonly List<ItemSpec> _plans = new();
    readonly Dictionary<string, ItemSpec> _names = new(StringComparer.Ordinal);
    string _realizationsDir = DefaultRealizationsDir;
    List<string> _selection = new();

    public HyperPlanner(string root, Plan plan, PlanningContext? context)
    {
        _root = root;
        _plan = plan;
        _context = context;
        _builder = new WorkflowBuilder(plan.Diagnostics, _locator);
    }

    /// <summary>Literal inputs of realizations: static unless a step makes them; Required: a wanted realization reads it.</summary>
    public List<(string Path, SourceLocation Location, bool Required)> LiteralInputs { get; } = new();

    /// <summary>
    /// Whether a Step item needs the value language: Params, or an Inp/Out entry that is named or
    /// starts like a branch point or reference. Any other step is planned exactly as in §2.
    /// </summary>
    public static bool NeedsHyper(ItemSpec item)
    {
        if (item.Meta("Params").Length > 0) return true;
        return Special(item.Meta("Inp")) || Special(item.Meta("Out"));
    }

    static bool Special(string value)
    {
        if (value.IndexOfAny(SpecialChars) < 0) return false;
        foreach (var entry in value.Split(';'))
        {
            var text = entry.TrimStart();
            if (text.Length == 0) continue;
            if (text[0] is '(' or '$' or '@') return true;
            var i = 0;
            while (i < text.Length && Names.IsNameChar(text[i])) i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i > 0 && Names.IsNameStart(text[0]) && i < text.Length && text[i] == '=') return true;
        }
        return false;
    }

    static readonly char[] SpecialChars = { '=', '(', '$', '@' };

    public void AddSettings(ItemSpec item)
    {
        var dir = item.Meta("RealizationsDir");
        if (dir.Length > 0) _realizationsDir = dir.Replace('\\', '/').TrimEnd('/');
        _selection = Contract.SplitList(item.Meta("Plan").Replace(',', ';'));
    }

    public void AddGlobal(ItemSpec item) => _globals.Add(item);
    public void AddPlan(ItemSpec item) => _plans.Add(item);

    /// <summary>A Step item planned as in §2: a source of named outputs for references.</summary>
    public void AddFixed(ItemSpec item, StepDefinition definition, int order)
    {
        _names.TryAdd(definition.Key, item);
        _fixed.Add((item, definition, order));
    }

    /// <summary>A Step item that uses the value language; false when it has an error.</summary>
    public bool AddStep(ItemSpec item, int order)
    {
        var name = item.Include.Trim();
        if (_names.TryGetValue(name, out var first))
        {
            _plan.Diagnostics.Add(Diagnostic.Error(Codes.DuplicateStep,
                $"Step name '{name}' is used twice (first at line {first.Location.Line}); step names must be unique.", item.Location));
            return false;
        }
        _names[name] = item;
        var meta = ReadMeta(item, name);
        if (meta == null) return false;
        var step = _builder.AddStep(item, name, order);
        if (step == null) return false;
        step.Workdir = meta.Workdir;
        if (step.IsHyper && !Names.IsStepName(name))
        {
            _plan.Diagnostics.Add(Diagnostic.Error(Codes.BadHyperStepName,
                $"Step '{name}' has realizations, so its name must be a folder name: [A-Za-z0-9_][A-Za-z0-9_.-]*.", item.Location));
            return false;
        }
        _steps.Add((item, step, meta));
        return true;
    }

    StepMeta? ReadMeta(ItemSpec item, string name)
    {
        var before = _plan.Diagnostics.Count;
        var command = item.Meta("Command");
        if (command.Length == 0)
            _plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingCommand, $"Step '{(name.Length > 0 ? name : "(unnamed)")}' has no Command.", item.Location));
        if (name.Length == 0)
            _plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata, "A step with named inputs, outputs or parameters needs a name (Include).", item.Location));
        var workdirRaw = item.Meta("Workdir");
        string? workdir = null;
        if (workdirRaw.Length > 0)
        {
            workdir = PathRules.Normalize(_root, ".", workdirRaw);
            if (!(workdir == "." || PathRules.IsInsideRoot(workdir)))
                _plan.Diagnostics.Add(Diagnostic.Error(Codes.OutsideRoot, $"Step '{name}' has Workdir '{workdirRaw}' outside the project root.", item.Location));
        }
        var env = Contract.SplitList(item.Meta("Env")).Distinct().Order(StringComparer.Ordinal).ToList();
        var optional = Planner.ReadBool(_plan, item, "Optional", name);
        var planning = Planner.ReadBool(_plan, item, "Planning", name);
        var resources = Contract.ParseResources(item.Meta("Resources"), out var resourceError) ?? new Dictionary<string, int>();
        if (resourceError != null)
            _plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata, $"Step '{name}' has Resources=\"{item.Meta("Resources")}\": {resourceError}", item.Location));
        if (_plan.Diagnostics.Count != before) return null;
        return new StepMeta(command, workdir, Contract.SplitList(item.Meta("Vol")), env, optional, planning, resources);
    }

    /// <summary>The definitions of every item added with <see cref="AddStep"/>, by item, in realization order.</summary>
    public Dictionary<ItemSpec, List<StepDefinition>> Run()
    {
        var result = new Dictionary<ItemSpec, List<StepDefinition>>(ReferenceEqualityComparer.Instance);
        if (_steps.Count == 0 && _globals.Count == 0 && _plans.Count == 0) return result;
        var before = _plan.Diagnostics.Count;
        foreach (var (item, definition, order) in _fixed)
        {
            var step = new WorkflowStep(definition.Key, item, order) { Workdir = definition.Workdir };
            foreach (var path in Contract.SplitList(item.Meta("Out")).Where(Names.IsName))
                step.FixedOutputs.TryAdd(path, PathRules.Normalize(_root, definition.Workdir, path));
            _builder.AddFixedStep(step);
        }
        _builder.AddGlobals(_globals);
        if (_plan.Diagnostics.Count != before) return result;
        _builder.Resolve();
        var workflow = _builder.Workflow;
        // Plans need only the branch points and step names: their errors are reported with the others.
        _builder.AddPlans(_plans, new PlanParser(_plan.Diagnostics, _builder.Error));
        if (_plan.Diagnostics.Count != before) return result;

        var instantiator = new Instantiator(workflow, _root, _realizationsDir);
        var selector = new PlanSelector(workflow, instantiator, _plan.Diagnostics,
            (step, message) => Diagnostic.Error(Codes.NoRealization, message, step.Item.Location));
        selector.Select(_selection);
        if (_plan.Diagnostics.Count != before) return result;
        var retained = Retained(workflow, instantiator, selector);

        foreach (var (item, step, meta) in _steps)
        {
            var definitions = new List<StepDefinition>();
            if (!step.IsHyper)
                definitions.Add(Define(step, meta, instantiator.Evaluate(step, BranchMap.Empty)!, leftOut: false, workflow.Registry));
            else
            {
                var wanted = selector.Selected(step).Values.Select(i => (Instance: i, LeftOut: false));
                var kept = retained.TryGetValue(step, out var r) ? r.Select(i => (Instance: i, LeftOut: true)) : [];
                var space = step.Space.Order().ToArray();
                foreach (var (instance, leftOut) in wanted.Concat(kept).OrderBy(p => p.Instance, new RealizationOrder(space)))
                    definitions.Add(Define(step, meta, instance, leftOut, workflow.Registry));
            }
            result[item] = definitions;
        }
        if (_context?.Explain == true) _plan.LeftOutReasons.AddRange(selector.Explain());
        return result;
    }

    /// <summary>Realizations in the graph that no plan selects now but the workflow still produces.</summary>
    Dictionary<WorkflowStep, List<Instance>> Retained(HyperWorkflow workflow, Instantiator instantiator, PlanSelector selector)
    {
        var retained = new Dictionary<WorkflowStep, List<Instance>>();
        if (_context == null) return retained;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var known in _context.Known)
        {
            if (known.Realization is not { } canonical) continue;
            var folder = RealizationName.Folder(canonical);
            if (known.Key.Length <= folder.Length + 1 || !known.Key.EndsWith("/" + folder, StringComparison.Ordinal)) continue;
            var name = known.Key[..^(folder.Length + 1)];
            if (!workflow.Steps.TryGetValue(name, out var step) || !step.IsHyper) continue;
            if (RealizationName.Parse(canonical, workflow.Registry) is not { } named) continue;
            if (selector.Selected(step).ContainsKey(canonical) || !seen.Add(known.Key)) continue;
            if (instantiator.Exactly(step, named) is not { } instance) continue;
            if (!retained.TryGetValue(step, out var list)) retained[step] = list = new List<Instance>();
            list.Add(instance);
        }
        return retained;
    }

    sealed class RealizationOrder(int[] space) : IComparer<Instance>
    {
        public int Compare(Instance? a, Instance? b)
        {
            foreach (var bp in space)
            {
                var c = a!.Realization.Get(bp).CompareTo(b!.Realization.Get(bp));
                if (c != 0) return c;
            }
            return 0;
        }
    }

    readonly Dictionary<string, List<string>?> _folders = new(StringComparer.Ordinal);
    readonly HashSet<WorkflowStep> _reportedOutputs = new();

    /// <summary>A literal input that is a folder stands for every file under it (then static).</summary>
    List<string>? FolderFiles(string path)
    {
        if (_folders.TryGetValue(path, out var files)) return files;
        var full = PathRules.FullPath(_root, path);
        files = PathRules.IsInsideRoot(path) && Directory.Exists(full) ? PathRules.FilesUnder(_root, full).ToList() : null;
        if (files != null) _plan.ReadsFolders = true;
        return _folders[path] = files;
    }

    StepDefinition Define(WorkflowStep step, StepMeta meta, Instance instance, bool leftOut, BranchPointRegistry registry)
    {
        var workdir = instance.Workdir;
        string Rel(string path) => PathRules.RelativeToWorkdir(_root, workdir, path);

        var declared = new List<string>();
        var inputs = new List<string>();
        var seenInputs = new HashSet<string>(StringComparer.Ordinal);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var placeholders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, paths) in instance.Inputs)
        {
            foreach (var path in paths)
            {
                declared.Add(path);
                var expanded = instance.Literals.Contains(path) ? FolderFiles(path) : null;
                foreach (var input in expanded ?? [path])
                {
                    if (!seenInputs.Add(input)) continue;
                    inputs.Add(input);
                    if (step.IsHyper && instance.Literals.Contains(path)) LiteralInputs.Add((input, step.Item.Location, !leftOut));
                }
            }
            if (entry.Name == null || !(step.IsHyper || entry.Spec.Explicit)) continue;
            variables[entry.Name] = string.Join(" ", paths.Select(Rel));
            placeholders[entry.Name] = ShellQuote.Join(paths.Select(Rel));
        }
        foreach (var (entry, values) in instance.Params)
        {
            variables[entry.Name!] = string.Join(" ", values);
            placeholders[entry.Name!] = ShellQuote.Join(values);
        }
        var outputs = new List<string>();
        foreach (var (name, written) in step.Outputs)
        {
            var path = PathRules.Normalize(_root, workdir, written);
            CheckOutput(step, path);
            if (!outputs.Contains(path)) outputs.Add(path);
            var entry = step.Entries.First(e => e.Kind == EntryKind.Output && e.Name == name);
            if (name == null || !(step.IsHyper || entry.Explicit)) continue;
            variables[name] = Rel(path);
            placeholders[name] = ShellQuote.Quote(Rel(path));
        }
        var volatiles = meta.Vol.Select(v => PathRules.Normalize(_root, workdir, v)).Distinct().ToList();
        foreach (var path in volatiles) CheckOutput(step, path);
        placeholders.TryAdd("inp", ShellQuote.Join(declared.Distinct().Select(Rel)));
        placeholders.TryAdd("out", ShellQuote.Join(outputs.Select(Rel)));
        placeholders.TryAdd("vol", ShellQuote.Join(volatiles.Select(Rel)));
        CheckVariables(step, variables);
        var execution = Planner.ReadExecution(_plan, step.Item, instance.Key,
            ExecutionMetadata.Read(step.Item, text => ShellQuote.ExpandNamed(text, variables)));

        return new StepDefinition
        {
            Key = instance.Key,
            Label = instance.Key,
            Command = ShellQuote.ExpandNamed(meta.Command, placeholders),
            Workdir = workdir,
            Inputs = Planner.Compact(inputs),
            Outputs = Planner.Compact(outputs),
            Volatiles = Planner.Compact(volatiles),
            EnvNames = meta.Env,
            Optional = meta.Optional,
            Planning = meta.Planning,
            Resources = meta.Resources,
            Location = step.Item.Location,
            Variables = variables,
            Realization = instance.Canonical,
            Branches = instance.Canonical == null ? Array.Empty<BranchChoice>()
                : instance.Realization.Pairs.Select(p => new BranchChoice(registry.Name(p.Bp), registry.BranchName(p.Bp, p.Branch), p.Branch == 0)).ToArray(),
            LeftOut = leftOut,
            Execution = execution,
        };
    }

    readonly HashSet<WorkflowStep> _reportedVariables = new();

    void CheckVariables(WorkflowStep step, Dictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            if (Running.StepEnvironment.FitsOneVariable(name, value) || !_reportedVariables.Add(step)) continue;
            _plan.Diagnostics.Add(Diagnostic.Warning(Codes.VariableTooLong,
                $"Step '{step.Name}' has a named entry '{name}' of {value.Length:N0} characters, more than the {Running.StepEnvironment.MaxVariableBytes / 1024} KiB " +
                $"that the operating system allows for one environment variable: ${name} is not set for the step; ${{{name}}} in its command still works.",
                step.Item.Location));
            return;
        }
    }

    void CheckOutput(WorkflowStep step, string path)
    {
        if (PathRules.IsInsideRoot(path) && !PathRules.IsInStateFolder(path)) return;
        if (!_reportedOutputs.Add(step)) return;
        _plan.Diagnostics.Add(Diagnostic.Error(Codes.OutsideRoot, PathRules.IsInsideRoot(path)
            ? $"Step '{step.Name}' has output '{path}' inside .stepup/, which belongs to StepUp."
            : $"Step '{step.Name}' has output '{path}' outside the project root; StepUp only writes inside it.", step.Item.Location));
    }
}
