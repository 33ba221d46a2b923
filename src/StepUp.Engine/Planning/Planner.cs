using StepUp.Engine.Files;
using StepUp.Engine.Hyper;

namespace StepUp.Engine.Planning;

/// <summary>
/// Turns the project's items into a validated plan. Every problem is reported with the item's
/// location, and an invalid plan is never applied, so bad input cannot touch the user's files.
/// </summary>
public sealed class Planner
{
    readonly string _root;
    readonly IReadOnlyDictionary<string, string> _env;

    public Planner(string root, IReadOnlyDictionary<string, string> env)
    {
        _root = Path.GetFullPath(root);
        _env = env;
    }

    /// <param name="context">What the graph knows: realizations the plans leave out stay while they can still be produced.</param>
    public Plan Plan(IReadOnlyList<ItemSpec> items, PlanningContext? context = null)
    {
        var plan = new Plan();
        _patternFiles = new PatternFiles(_root, items, context);
        foreach (var item in items.Where(i => i.ItemType == "Static")) AddStatic(plan, item);
        // Steps that use the value language (reference §9) have realizations; the others are planned
        // here as before and may be sources of their outputs. Item order is kept either way.
        var hyper = new HyperPlanner(_root, plan, context);
        var planned = new List<(ItemSpec Item, StepDefinition? Step)>();
        var calls = new HashSet<string>(StringComparer.Ordinal);
        var order = 0;
        foreach (var item in items)
        {
            switch (item.ItemType)
            {
                case "Step" when HyperPlanner.NeedsHyper(item):
                    if (hyper.AddStep(item, order++)) planned.Add((item, null));
                    break;
                case "Step":
                    if (StepFromItem(plan, item) is { } step)
                    {
                        hyper.AddFixed(item, step, order++);
                        planned.Add((item, step));
                    }
                    break;
                case "Script":
                    if (ScriptFromItem(plan, item) is { } script) planned.Add((item, script));
                    break;
                case "Call":
                    if (CallFromItem(plan, item) is { } call)
                    {
                        planned.Add((item, call));
                        calls.Add(call.Key);
                    }
                    break;
                case "Global": hyper.AddGlobal(item); break;
                case "Plan": hyper.AddPlan(item); break;
                case HyperPlanner.SettingsItem: hyper.AddSettings(item); break;
            }
        }
        var realized = hyper.Run();
        foreach (var (item, step) in planned)
        {
            if (step != null) plan.Steps.Add(step);
            else if (realized.TryGetValue(item, out var definitions)) plan.Steps.AddRange(definitions);
        }
        AddImplicitStatics(plan, calls);
        AddLiteralInputs(plan, hyper.LiteralInputs);
        Validate(plan);
        return plan;
    }

    /// <summary>
    /// A realization's literal inputs (<c>in=(Size: small.txt big.txt)</c>) are static without a
    /// Static item unless a step makes them, as ducttape checks them before it runs anything. Only a
    /// wanted realization needs them to exist.
    /// </summary>
    void AddLiteralInputs(Plan plan, List<(string Path, SourceLocation Location, bool Required)> literals)
    {
        if (literals.Count == 0) return;
        var outputs = new HashSet<string>(plan.Steps.SelectMany(s => s.Outputs.Concat(s.Volatiles)), StringComparer.Ordinal);
        var statics = new HashSet<string>(plan.Statics.Select(s => s.Path), StringComparer.Ordinal);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, location, required) in literals)
        {
            if (outputs.Contains(path) || statics.Contains(path)) continue;
            if (File.Exists(PathRules.FullPath(_root, path)))
            {
                statics.Add(path);
                plan.Statics.Add(new StaticSpec(path, location));
            }
            else if (required && missing.Add(path))
                plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingStatic, $"Input '{path}' does not exist, and no step makes it.", location));
        }
    }

    /// <summary>
    /// The executable of a Script or a Call and the program file of a step's command (./plan.py,
    /// python3 plan.py: <see cref="CommandScript"/>) are inputs, and static without a Static item
    /// unless a step makes them.
    /// </summary>
    void AddImplicitStatics(Plan plan, IReadOnlySet<string> calls)
    {
        var outputs = new HashSet<string>(plan.Steps.SelectMany(s => s.Outputs.Concat(s.Volatiles)), StringComparer.Ordinal);
        var volatiles = new HashSet<string>(plan.Steps.SelectMany(s => s.Volatiles), StringComparer.Ordinal);
        var statics = new HashSet<string>(plan.Statics.Select(s => s.Path), StringComparer.Ordinal);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            var exe = LocalExecutable(step, outputs, calls.Contains(step.Key));
            if (exe == null || volatiles.Contains(exe) || step.Outputs.Contains(exe)) continue;
            if (!step.Inputs.Contains(exe))
                plan.Steps[i] = step = step.WithInputs([exe, .. step.Inputs]);
            if (outputs.Contains(exe) || !statics.Add(exe)) continue;
            if (File.Exists(PathRules.FullPath(_root, exe))) plan.Statics.Add(new StaticSpec(exe, step.Location));
            else plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingStatic, $"Step '{step.Label}' runs '{exe}', which does not exist.", step.Location));
        }
    }

    /// <summary>
    /// The root-relative path of the local file a command runs (<see cref="CommandScript"/>). A
    /// planning step's first word (./plan.py) and a Call's executable (<paramref name="named"/>) count
    /// as written, so that a missing one is reported; otherwise the file must exist or be one of
    /// <paramref name="outputs"/>.
    /// </summary>
    public string? LocalExecutable(StepDefinition step, ISet<string>? outputs = null, bool named = false)
    {
        if (CommandScript.Find(step.Command) is not var (word, interpreted) || Path.IsPathRooted(word)) return null;
        var path = PathRules.Normalize(_root, step.Workdir, word);
        if (!PathRules.IsInsideRoot(path) || PathRules.IsInStateFolder(path)) return null;
        if ((step.Planning || named) && !interpreted) return path;
        return outputs?.Contains(path) == true || File.Exists(PathRules.FullPath(_root, path)) ? path : null;
    }

    /// <summary>
    /// Plans one step defined by a running step: a Step item (its name may be empty: the step is then
    /// labelled by its command) or a Script item. Validation against the graph is the caller's.
    /// </summary>
    public (StepDefinition? Step, List<Diagnostic> Problems) PlanOne(ItemSpec item)
    {
        var plan = new Plan();
        _patternFiles = null;
        var step = item.ItemType == "Script" ? ScriptFromItem(plan, item) : StepFromItem(plan, item);
        if (step != null && step.Planning && LocalExecutable(step) is { } exe && !step.Inputs.Contains(exe))
            step = step.WithInputs([exe, .. step.Inputs]);
        return (step, plan.Diagnostics);
    }

    void AddStatic(Plan plan, ItemSpec item)
    {
        var include = item.Include.Replace('\\', '/');
        var isFolder = include.EndsWith('/');
        var path = PathRules.Normalize(_root, ".", include.TrimEnd('/'));
        if (PathRules.IsInStateFolder(path))
        {
            plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata, $"Static '{item.Include}' is inside .stepup/, which belongs to StepUp.", item.Location));
            return;
        }
        var full = PathRules.FullPath(_root, path);
        if (isFolder || Directory.Exists(full))
        {
            plan.ReadsFolders = true;
            if (!Directory.Exists(full))
            {
                plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingStatic, $"Static folder '{item.Include}' does not exist.", item.Location));
                return;
            }
            plan.StaticFolders.Add(new StaticSpec(path, item.Location));
            foreach (var filePath in PathRules.FilesUnder(_root, full)) plan.Statics.Add(new StaticSpec(filePath, item.Location));
            return;
        }
        if (!File.Exists(full))
        {
            plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingStatic, $"Static file '{item.Include}' does not exist.", item.Location));
            return;
        }
        plan.Statics.Add(new StaticSpec(path, item.Location));
    }

    StepDefinition? StepFromItem(Plan plan, ItemSpec item)
    {
        var name = item.Include.Trim();
        var command = item.Meta("Command");
        if (command.Length == 0)
        {
            plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingCommand, $"Step '{(name.Length > 0 ? name : "(unnamed)")}' has no Command.", item.Location));
            return null;
        }
        if (name.Length == 0) name = command;
        var common = ReadCommon(plan, item, name);
        if (common == null) return null;
        var planning = ReadBool(plan, item, "Planning", name);
        var execution = ReadExecution(plan, item, name, ExecutionMetadata.Read(item));
        var (workdir, inp, @out, vol, env, optional, resources) = common.Value;
        var relInp = inp.Select(p => PathRules.RelativeToWorkdir(_root, workdir, p)).ToList();
        var relOut = @out.Select(p => PathRules.RelativeToWorkdir(_root, workdir, p)).ToList();
        var relVol = vol.Select(p => PathRules.RelativeToWorkdir(_root, workdir, p)).ToList();
        // StepUp 4's API never substitutes commands (placeholders false).
        var expanded = item.Meta("Placeholders") == "false" ? command : ShellQuote.ExpandPlaceholders(command, relInp, relOut, relVol);
        if (item.Include.Trim().Length == 0) name = LabelOf(expanded, workdir);
        var definition = Define(name, expanded, inp, common.Value, planning, item.Location, execution);
        // Shell="false" runs the words as StepUp 4's run() does: a script ending in .py then goes
        // through the Python launcher, which tracks its local imports (the boot step ./plan.py).
        if (item.Meta("Shell") != "false") return definition;
        var argv = ShellWords.Split(expanded, firstCommandOnly: false, out _);
        return argv.Count == 0 ? definition : definition.WithLaunch(false, argv.ToArray(), definition.EnvOverrides, definition.Duration);
    }

    /// <summary>A step without a name is called by its command, and its workdir when that is not the root.</summary>
    static string LabelOf(string command, string workdir) => workdir == "." ? command : command + "  # wd=" + workdir;

    static StepDefinition Define(string name, string command, IReadOnlyList<string> inputs,
        (string workdir, List<string> inp, List<string> @out, List<string> vol, List<string> env, bool optional, Dictionary<string, int> resources) common,
        bool planning, SourceLocation location, IReadOnlyDictionary<string, string>? execution = null) => new()
    {
        Key = name,
        Label = name,
        Command = command,
        Workdir = common.workdir,
        Inputs = Compact(inputs),
        Outputs = Compact(common.@out),
        Volatiles = Compact(common.vol),
        EnvNames = Compact(common.env),
        Optional = common.optional,
        Planning = planning,
        Resources = common.resources.Count == 0 ? StepDefinition.NoResources : common.resources,
        Location = location,
        Execution = execution ?? StepDefinition.EmptyVariables,
    };

    /// <summary>The step's execution metadata, or none (and an error) when a value has the wrong form.</summary>
    internal static IReadOnlyDictionary<string, string> ReadExecution(Plan plan, ItemSpec item, string name, IReadOnlyDictionary<string, string> execution)
    {
        if (ExecutionMetadata.Check(execution) is not { } problem) return execution;
        plan.Diagnostics.Add(Diagnostic.Error(Codes.BadSlurmMetadata, $"Step '{name}' has bad Slurm metadata: {problem}.", item.Location));
        return ExecutionMetadata.None;
    }

    /// <summary>A definition's list as it is kept for the life of the graph: an exact array, or the shared empty one.</summary>
    internal static string[] Compact(IReadOnlyList<string> list) => list.Count == 0 ? Array.Empty<string>() : [.. list];

    /// <summary>The script protocol: a planning step "./exe plan" that plans the script's run steps.</summary>
    StepDefinition? ScriptFromItem(Plan plan, ItemSpec item)
    {
        var include = item.Include.Trim().Replace('\\', '/');
        var common = ReadCommon(plan, item, include);
        if (common == null) return null;
        var (workdir, inp, @out, vol, env, optional, resources) = common.Value;
        var exe = PathRules.Normalize(_root, workdir, include);
        var exeForShell = PathRules.RelativeToWorkdir(_root, workdir, exe);
        var command = ShellQuote.Quote(exeForShell.Contains('/') ? exeForShell : "./" + exeForShell) + " plan";
        if (optional) command += " --optional";
        var stepInfo = item.Meta("StepInfo");
        var outputs = new List<string>(@out);
        if (stepInfo.Length > 0)
        {
            command += " --step-info=" + ShellQuote.Quote(stepInfo);
            outputs.Add(PathRules.Normalize(_root, workdir, stepInfo));
        }
        var label = workdir == "." ? command : command + "  # wd=" + workdir;
        var inputs = new List<string> { exe };
        inputs.AddRange(inp.Where(p => p != exe));
        return new StepDefinition
        {
            Key = label,
            Label = label,
            Command = command,
            Workdir = workdir,
            Inputs = Compact(inputs),
            Outputs = Compact(outputs),
            Volatiles = Compact(vol),
            EnvNames = Compact(env),
            Optional = false, // the plan step of a script always runs; its run steps are optional
            Planning = true,
            Resources = resources.Count == 0 ? StepDefinition.NoResources : resources,
            Location = item.Location,
        };
    }

    /// <summary>
    /// The call protocol: <c>./work.py FUNCTION 'JSON'</c>, the JSON holding <c>Args</c> (a JSON object
    /// of keyword arguments) and the step's inputs and outputs, relative to its workdir.
    /// </summary>
    StepDefinition? CallFromItem(Plan plan, ItemSpec item)
    {
        var include = item.Include.Trim().Replace('\\', '/');
        var function = item.Meta("Function");
        var name = include + " " + function;
        var common = ReadCommon(plan, item, name);
        if (common == null) return null;
        var (workdir, inp, @out, vol, env, optional, resources) = common.Value;
        var planning = ReadBool(plan, item, "Planning", name);
        string? problem = null;
        if (!include.Contains('/') || Path.IsPathRooted(include))
            problem = $"Call '{include}': the executable must be a relative path with a '/', like ./{include.TrimStart('/')}.";
        else if (!CallCommand.IsFunctionName(function))
            problem = function.Length == 0
                ? $"Call '{include}' has no Function (the name of the function in the script to call)."
                : $"Call '{include}' has Function=\"{function}\", which is not a Python identifier.";
        else if (planning && optional)
            problem = $"Call '{name}' is both Planning and Optional: a planning step always runs.";
        if (problem != null)
        {
            plan.Diagnostics.Add(Diagnostic.Error(Codes.BadCall, problem, item.Location));
            return null;
        }
        var exe = PathRules.Normalize(_root, workdir, include);
        var relInp = inp.Where(p => p != exe).Select(p => PathRules.RelativeToWorkdir(_root, workdir, p)).ToList();
        var relOut = @out.Select(p => PathRules.RelativeToWorkdir(_root, workdir, p)).ToList();
        var command = CallCommand.Build(include, function, item.Meta("Args"), relInp, relOut, out var argsProblem);
        if (command == null)
        {
            plan.Diagnostics.Add(Diagnostic.Error(Codes.BadCall, $"Call '{name}' has Args that {argsProblem}.", item.Location));
            return null;
        }
        var inputs = new List<string> { exe };
        inputs.AddRange(inp.Where(p => p != exe));
        return Define(LabelOf(command, workdir), command, inputs, common.Value, planning, item.Location);
    }

    (string workdir, List<string> inp, List<string> @out, List<string> vol, List<string> env, bool optional, Dictionary<string, int> resources)?
        ReadCommon(Plan plan, ItemSpec item, string name)
    {
        var before = plan.Diagnostics.Count;
        var workdirRaw = item.Meta("Workdir");
        var workdir = workdirRaw.Length == 0 ? "." : PathRules.Normalize(_root, ".", workdirRaw);
        if (!(workdir == "." || PathRules.IsInsideRoot(workdir)))
            plan.Diagnostics.Add(Diagnostic.Error(Codes.OutsideRoot, $"Step '{name}' has Workdir '{workdirRaw}' outside the project root.", item.Location));
        var inp = Inputs(plan, item, name, workdir);
        var @out = Paths(item, "Out", workdir);
        var vol = Paths(item, "Vol", workdir);
        foreach (var path in @out.Concat(vol))
            if (RootGuard.CheckOutputPath(name, path, item.Location) is { } refused) plan.Diagnostics.Add(refused);
        var env = item.List("Env").Distinct().Order(StringComparer.Ordinal).ToList();
        var optional = ReadBool(plan, item, "Optional", name);
        var resources = Contract.ParseResources(item.Meta("Resources"), out var resourceError) ?? new Dictionary<string, int>();
        if (resourceError != null)
            plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata, $"Step '{name}' has Resources=\"{item.Meta("Resources")}\": {resourceError}", item.Location));
        if (plan.Diagnostics.Count != before) return null;
        return (workdir, inp, @out, vol, env, optional, resources);
    }

    /// <summary>What the items declare, for folder and wildcard inputs; null while planning a step that a running step defines.</summary>
    PatternFiles? _patternFiles;

    /// <summary>
    /// Inp in order: each path, and for a folder or wildcard entry (<see cref="InputPattern"/>) the
    /// files it matches now, on disk or declared as outputs; those no step makes become static.
    /// </summary>
    List<string> Inputs(Plan plan, ItemSpec item, string name, string workdir)
    {
        var inputs = new List<string>();
        foreach (var entry in item.List("Inp"))
        {
            if (!InputPattern.IsPattern(_root, workdir, entry))
            {
                inputs.Add(PathRules.Normalize(_root, workdir, entry));
                continue;
            }
            if (_patternFiles == null)
            {
                plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata,
                    $"Step '{name}' has the input '{entry}', a folder or wildcard; a running step declares the files themselves (static, glob, amend).", item.Location));
                continue;
            }
            plan.ReadsFolders = true;
            var own = new HashSet<string>(Paths(item, "Out", workdir).Concat(Paths(item, "Vol", workdir)), StringComparer.Ordinal);
            var matches = InputPattern.Expand(_root, workdir, entry, _patternFiles.Outputs);
            if (matches == null)
                plan.Diagnostics.Add(Diagnostic.Error(Codes.OutsideRoot, $"Step '{name}' has the input '{entry}' outside the project root.", item.Location));
            else if (matches.Count == 0 && !InputPattern.HasWildcard(entry))
                plan.Diagnostics.Add(Diagnostic.Error(Codes.MissingStatic, $"Step '{name}' has the input folder '{entry}', which does not exist, and no step makes files in it.", item.Location));
            foreach (var path in matches ?? [])
            {
                if (own.Contains(path) || _patternFiles.Volatiles.Contains(path)) continue;
                inputs.Add(path);
                if (!_patternFiles.Outputs.Contains(path) && _patternFiles.IsNewStatic(plan, path)) plan.Statics.Add(new StaticSpec(path, item.Location));
            }
        }
        return inputs.Distinct().ToList();
    }

    List<string> Paths(ItemSpec item, string metadata, string workdir) =>
        item.List(metadata).Select(p => PathRules.Normalize(_root, workdir, p)).Distinct().ToList();

    internal static bool ReadBool(Plan plan, ItemSpec item, string metadata, string name)
    {
        var value = item.Meta(metadata);
        if (value.Length == 0 || value.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        plan.Diagnostics.Add(Diagnostic.Error(Codes.BadMetadata, $"Step '{name}' has {metadata}=\"{value}\"; use true or false.", item.Location));
        return false;
    }

    /// <summary>The real places of the plan's static files and folders, which its steps may not write.</summary>
    (RootGuard Guard, StaticPlaces Statics) WriteRules(Plan plan)
    {
        var guard = new RootGuard(_root);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in plan.Statics) files.TryAdd(guard.RealPath(spec.Path, followLast: false), spec.Path);
        var statics = new StaticPlaces(guard, real => files.GetValueOrDefault(real));
        foreach (var folder in plan.StaticFolders) statics.AddFolder(folder.Path);
        return (guard, statics);
    }

    void Validate(Plan plan)
    {
        var byName = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        foreach (var step in plan.Steps)
        {
            if (byName.TryGetValue(step.Key, out var first))
                plan.Diagnostics.Add(Diagnostic.Error(Codes.DuplicateStep,
                    $"Step name '{step.Key}' is used twice (first at line {first.Location.Line}); step names must be unique.", step.Location));
            else
                byName.Add(step.Key, step);
        }

        var (guard, statics) = WriteRules(plan);
        var producers = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        foreach (var step in byName.Values)
        {
            if (guard.CheckWorkdir(step.Label, step.Workdir, step.Location) is { } badWorkdir) plan.Diagnostics.Add(badWorkdir);
            foreach (var path in step.Outputs.Concat(step.Volatiles))
            {
                if (guard.CheckOutput(step.Label, path, statics, followLastLink: false, step.Location) is { } refused)
                    plan.Diagnostics.Add(refused);
                else if (producers.TryGetValue(path, out var other))
                    plan.Diagnostics.Add(Diagnostic.Error(Codes.OutputClaimedTwice,
                        $"Output '{path}' is claimed by step '{other.Label}' and by step '{step.Label}'; give each output one producer.", step.Location));
                else
                    producers.Add(path, step);
            }
        }
        var volatiles = new HashSet<string>(byName.Values.SelectMany(s => s.Volatiles), StringComparer.Ordinal);
        foreach (var step in byName.Values)
            foreach (var path in step.Inputs.Where(volatiles.Contains))
                plan.Diagnostics.Add(Diagnostic.Error(Codes.VolatileInput,
                    $"Step '{step.Label}' uses '{path}' as input, but it is a volatile output, which is never an input.", step.Location));

        if (plan.IsValid)
        {
            var cycle = GraphSearch.FindCycle(byName.Values,
                step => step.Inputs.Select(producers.GetValueOrDefault).OfType<StepDefinition>());
            if (cycle != null)
                plan.Diagnostics.Add(Diagnostic.Error(Codes.Cycle,
                    "Dependency cycle between steps: " + string.Join(" -> ", cycle.Select(s => s.Label)) + ".", cycle[0].Location));
        }
    }
}
