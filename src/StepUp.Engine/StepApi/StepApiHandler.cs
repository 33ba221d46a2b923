using StepUp.Engine.Events;
using StepUp.Engine.Building;
using StepUp.Engine.Files;
using StepUp.Engine.Reporting;
using StepUp.Engine.Running;
using StepUp.Engine.Scheduling;
using StepUp.Engine.Storage;

namespace StepUp.Engine.StepApi;

/// <summary>
/// The calls a running step makes (docs/step-api.md): define steps, declare static files, amend its
/// own dependencies, read its definition, write the graph. Each is answered on the build's loop,
/// which owns the graph and the plan.
/// </summary>
sealed class StepApiHandler(ProjectGraph graph, string root, IReadOnlyDictionary<string, string> env, BuildPlan plan, OutputWrites writes,
    Action<string> log)
{
    sealed class ApiException(string message, string kind = "") : Exception(message)
    {
        public string Kind { get; } = kind;
    }

    /// <summary>The patterns of the graph's steps, checked against every new output; built on first use.</summary>
    GlobRegistry? _globs;

    GlobRegistry Globs => _globs ??= new GlobRegistry(graph);

    public StepReply Answer(StepNode caller, StepCommand command)
    {
        try
        {
            if (!plan.IsRunning(caller)) throw new ApiException("the step is no longer running");
            return command switch
            {
                DefineStep step => Define(caller, Item("Step", step.Name, caller, step.Cwd, step.Fields, step.Command, step.Planning, "", step.Launch.Placeholders),
                    step.Launch),
                DefineScript script => Define(caller, Item("Script", script.Executable, caller, script.Cwd, script.Fields, "", false, script.StepInfo, true),
                    StepLaunchFields.Default with { Duration = script.Duration }, script),
                DeclareStatic declare => DeclareStatic(caller, declare),
                RegisterGlob glob => Register(caller, glob.Cwd, glob.Pattern, declare: false).Reply,
                HoldSteps hold => Hold(caller, hold.Release),
                RecordRun record => Record(caller, record),
                AmendStep amend => Amend(caller, amend),
                ReadInfo => Info(caller.Definition),
                WriteGraph write => WriteGraph(write),
                _ => throw new ApiException($"unknown call '{command.GetType().Name}'"),
            };
        }
        catch (ApiException e)
        {
            return new ErrorReply(e.Message, e.Kind);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new ErrorReply(e.Message);
        }
    }

    /// <summary>The caller's working folder, root-relative.</summary>
    string CallerFolder(string cwd) =>
        string.IsNullOrEmpty(cwd) ? "." : PathRules.ToGraphPath(Path.GetFullPath(root), Path.GetFullPath(cwd));

    /// <summary>A new step as an item for the planner, located at its creator's item; its lists travel as lists.</summary>
    ItemSpec Item(string itemType, string include, StepNode caller, string cwd, StepFields fields, string command, bool planning, string stepInfo,
        bool placeholders)
    {
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Command"] = command,
            ["Workdir"] = PathRules.Normalize(root, CallerFolder(cwd), fields.Workdir.Length > 0 ? fields.Workdir : "."),
            ["Optional"] = fields.Optional ? "true" : "false",
            ["Planning"] = planning ? "true" : "false",
            ["Resources"] = fields.Resources,
            ["StepInfo"] = stepInfo,
            ["Placeholders"] = placeholders ? "true" : "false",
        };
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Inp"] = fields.Inp,
            ["Out"] = fields.Out,
            ["Vol"] = fields.Vol,
            ["Env"] = fields.Env,
        };
        return new ItemSpec(itemType, include, meta, StepReporter.LocationOf(caller)) { Lists = lists };
    }

    StepReply Define(StepNode caller, ItemSpec item, StepLaunchFields launch, DefineScript? script = null)
    {
        var planner = new Planner(root, env);
        var (planned, problems) = planner.PlanOne(item);
        if (problems.Count > 0 || planned == null) throw new ApiException(string.Join(" ", problems.Select(p => p.Message)));
        var definition = WithLaunch(planned, launch, script);

        var existing = graph.FindStep(definition.Key);
        if (existing != null && !existing.IsOrphan && !ReferenceEquals(existing.Creator, caller))
            throw new ApiException($"step '{definition.Label}' is already defined by {existing.Creator?.Key}.");
        if (existing != null && ReferenceEquals(existing.Creator, caller) && !existing.Definition.SameAs(definition))
            throw new ApiException($"step '{definition.Label}' is defined twice, differently.");
        foreach (var path in definition.Outputs.Concat(definition.Volatiles)) CheckClaim(path, definition.Label, existing);
        foreach (var path in definition.Volatiles)
            if (plan.Targets.Contains(path)) throw new ApiException(TargetProblems.Volatile(path));
        foreach (var path in definition.Inputs)
            if (graph.FindFile(path) is { State: FileState.Volatile, IsOrphan: false })
                throw new ApiException($"step '{definition.Label}' uses '{path}' as input, but it is a volatile output.");
        if (CycleThrough(definition) is { } cycle)
            throw new ApiException("this step would close a dependency cycle: " + string.Join(" -> ", cycle) + ".", Protocol.ErrorReply.CyclicKind);

        // A planning step's own script is static unless a step makes it.
        if (definition.Planning && planner.LocalExecutable(definition) is { } exe)
            DeclareStaticFile(caller, exe, mustExist: true);

        var step = PlanApplier.ApplyStep(graph, caller, definition);
        if (plan.IsWantedNow(step)) plan.Want(step);
        return Info(step.Definition);
    }

    /// <summary>
    /// The definition as StepUp 4's API asks to run it. A program given as a relative path
    /// (./work.py) is an input only when the client declares it, as StepUp 4's run() does and its
    /// step() does not. The plan step of a script runs without a shell too.
    /// </summary>
    StepDefinition WithLaunch(StepDefinition definition, StepLaunchFields launch, DefineScript? script)
    {
        if (launch.Duration is { } d && (double.IsNaN(d) || double.IsInfinity(d) || d < 0))
            throw new ApiException($"step '{definition.Label}' has duration {d}; it must be a number of seconds, 0 or more.");
        foreach (var name in launch.EnvOverrides.Keys.Order(StringComparer.Ordinal))
        {
            if (definition.EnvNames.Contains(name))
                throw new ApiException($"step '{definition.Label}' both depends on variable {name} (env) and sets it (VAR=value); use one of the two.");
            if (StepEnvironment.Reserved.Contains(name))
                throw new ApiException($"step '{definition.Label}' sets {name}, which StepUp sets for every step itself.");
        }
        var shell = launch.Shell;
        var argv = launch.Argv;
        if (script != null)
        {
            shell = false;
            argv = ScriptArgv(definition, script);
        }
        if (!shell && argv.Count == 0) throw new ApiException($"step '{definition.Label}' has shell false but no argv: the program to run is missing.");
        return definition.WithLaunch(shell, shell ? [] : argv, launch.EnvOverrides, launch.Duration ?? StepDefinition.DefaultDuration);
    }

    /// <summary>The words of a script's plan step, as the planner writes its command: ./exe plan [--optional] [--step-info=F].</summary>
    List<string> ScriptArgv(StepDefinition definition, DefineScript script)
    {
        // The planner puts the script first among the inputs.
        var exe = PathRules.RelativeToWorkdir(root, definition.Workdir, definition.Inputs[0]);
        var argv = new List<string> { exe.Contains('/') ? exe : "./" + exe, "plan" };
        if (script.Fields.Optional) argv.Add("--optional");
        if (script.StepInfo.Length > 0) argv.Add("--step-info=" + script.StepInfo);
        return argv;
    }

    void CheckClaim(string path, string label, StepNode? self)
    {
        if (writes.Refusal(label, path) is { } refusal) throw new ApiException(refusal);
        if (Globs.Matching(path) is { } glob)
            throw new ApiException(GlobMatchesOutput(glob.Glob.Pattern, glob.Owner.Label, path, label));
        var file = graph.FindFile(path);
        if (file == null || file.IsOrphan) return;
        if (file.State is FileState.Static or FileState.Missing)
            throw new ApiException($"'{path}' is a static file; step '{label}' cannot make it.");
        if (file.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, self))
            throw new ApiException($"output '{path}' of step '{label}' is already made by step '{producer.Label}'.");
    }

    /// <summary>Labels of a cycle the new definition would close, or null: does a consumer chain of its outputs reach its inputs?</summary>
    List<string>? CycleThrough(StepDefinition definition)
    {
        var inputs = new HashSet<string>(definition.Inputs, StringComparer.Ordinal);
        var start = definition.Outputs.Select(graph.FindFile).OfType<FileNode>().SelectMany(f => f.Consumers).Where(c => !c.IsOrphan);
        var chain = GraphSearch.FindPath(start, GraphSearch.Consumers,
            step => step.Definition.Key != definition.Key && step.Outputs.Any(o => inputs.Contains(o.Path)));
        return chain == null ? null : [definition.Label, .. chain.Select(s => s.Label), definition.Label];
    }

    StepReply DeclareStatic(StepNode caller, DeclareStatic command)
    {
        var cwd = CallerFolder(command.Cwd);
        var declared = new List<string>();
        foreach (var raw in command.Paths)
        {
            var isFolder = raw.EndsWith('/');
            var path = PathRules.Normalize(root, cwd, raw.TrimEnd('/'));
            var full = PathRules.FullPath(root, path);
            if (isFolder || Directory.Exists(full))
            {
                if (!Directory.Exists(full)) throw new ApiException($"static folder '{raw}' does not exist.");
                if (path == ".")
                    throw new ApiException("A static folder cannot be the project root: it would own plan.py and every output of every step. Declare the folders under it instead.");
                var files = PathRules.FilesUnder(Path.GetFullPath(root), full).ToList();
                foreach (var filePath in files)
                    if (StaticCreator(filePath) is { } other && !ReferenceEquals(other, caller))
                        throw new ApiException(SoleOwner(path, filePath, other, folderFirst: false));
                writes.AddStaticFolder(path);
                foreach (var filePath in files)
                {
                    DeclareStaticFile(caller, filePath, mustExist: true);
                    declared.Add(filePath);
                }
                continue;
            }
            if (graph.StaticFolderOf(path) is { } folder && StaticCreator(path) is { } owner && !ReferenceEquals(owner, caller))
                throw new ApiException(SoleOwner(folder, path, owner, folderFirst: true));
            DeclareStaticFile(caller, path, mustExist: true);
            declared.Add(path);
        }
        foreach (var pattern in command.Patterns) Register(caller, command.Cwd, pattern, declare: true);
        return new StaticReply(declared);
    }

    /// <summary>The step that declared a file static, while it is part of the plan; null for a file that is not, or that the project declares.</summary>
    StepNode? StaticCreator(string path) =>
        graph.FindFile(path) is { State: FileState.Static or FileState.Missing, IsOrphan: false, Creator: StepNode creator } ? creator : null;

    /// <summary>
    /// A static folder and a static file under it declared by two steps, in either order: the
    /// folder's step owns every file under it, so the other step would take a file away from it.
    /// </summary>
    static string SoleOwner(string folder, string path, StepNode other, bool folderFirst) => folderFirst
        ? $"Static file '{path}' is under static folder '{folder}/', which step '{other.Label}' declared: a static folder is the sole owner of the files under it, so no other step declares them. Use glob() to list the files of a static folder."
        : $"Static folder '{folder}/' holds '{path}', which step '{other.Label}' declared static: a static folder is the sole owner of the files under it, so it cannot take over a file that another step declared.";

    /// <summary>
    /// api.glob, and the patterns of api.static: matches the pattern on disk and records it with
    /// its matches on the caller, which runs again when they change. A match that a step makes, or
    /// one inside .stepup/, is an error: patterns are for the user's files.
    /// </summary>
    (RegisteredGlob Glob, StepReply Reply) Register(StepNode caller, string cwd, PatternFields fields, bool declare)
    {
        var pattern = PathRules.Normalize(root, CallerFolder(cwd), fields.Pattern.TrimEnd('/'));
        if (PathRules.IsInStateFolder(pattern)) throw new ApiException($"the pattern {fields.Pattern} is inside .stepup/, which belongs to StepUp.");
        NamedPattern matcher;
        try
        {
            matcher = new NamedPattern(pattern, fields.Subs);
        }
        catch (ArgumentException e)
        {
            throw new ApiException($"the pattern {fields.Pattern} is not valid: {e.Message}");
        }
        // The walk never enters .stepup/, but a pattern such as * would match the folder itself.
        if (matcher.IsMatch(GraphStore.FolderName))
            throw new ApiException($"Glob pattern ({pattern}) matches a path under {GraphStore.FolderName}: {GraphStore.FolderName}/");
        var matches = matcher.Matches(root);
        foreach (var match in matches)
            if (graph.FindFile(match.TrimEnd('/')) is { Producer: { IsOrphan: false } producer } file && file.State is not (FileState.Static or FileState.Missing))
                throw new ApiException(GlobMatchesOutput(pattern, caller.Label, file.Path, producer.Label));
        var glob = new RegisteredGlob(pattern, new Dictionary<string, string>(fields.Subs, StringComparer.Ordinal), matches);
        if (!caller.Globs.Contains(glob))
        {
            caller.AddGlob(glob);
            caller.Dirty = true;
            Globs.Add(caller, glob);
        }
        return (glob, new DoneReply());
    }

    /// <summary>In StepUp 4's words, whichever came first: the pattern or the output.</summary>
    static string GlobMatchesOutput(string pattern, string owner, string path, string producer) =>
        $"Glob pattern ({pattern}) registered by step ({owner}) matches ({path}), which step ({producer}) builds. Patterns may only match static files.";

    StepReply Hold(StepNode caller, bool release)
    {
        plan.ChangeHolds(plan.Find(caller)!, release ? -1 : 1);
        return new DoneReply();
    }

    StepReply Record(StepNode caller, RecordRun record)
    {
        log($"step '{caller.Label}' recorded: ({record.Workdir}) {record.Command} # exit={record.ReturnCode}");
        return new DoneReply();
    }

    /// <summary>Declares a file static on behalf of a running step, and wakes steps that waited for it.</summary>
    void DeclareStaticFile(StepNode caller, string path, bool mustExist)
    {
        if (PathRules.IsInStateFolder(path)) throw new ApiException($"'{path}' is inside .stepup/, which belongs to StepUp.");
        if (plan.Targets.Contains(path)) throw new ApiException(TargetProblems.Static(path));
        var file = graph.GetOrAddFile(path);
        if (file.Producer is { } producer && !producer.IsOrphan)
            throw new ApiException($"'{path}' cannot be static: step '{producer.Label}' makes it.");
        var wasAvailable = file.State == FileState.Static && !file.IsOrphan;
        ProjectGraph.MakeStatic(file);
        if (file.IsOrphan || !ReferenceEquals(file.Creator, caller) && file.Creator is not RootNode)
            ProjectGraph.SetCreator(file, caller);
        var stamp = FileStamper.Stamp(PathRules.FullPath(root, path), file.Stamp);
        if (!stamp.Exists && mustExist) throw new ApiException($"static file '{path}' does not exist.");
        file.State = stamp.Exists ? FileState.Static : FileState.Missing;
        file.Stamp = stamp.Exists ? stamp : null;
        file.Dirty = true;
        if (!wasAvailable && file.State == FileState.Static)
            foreach (var consumer in file.Consumers.ToList()) plan.InputAvailable(consumer, file);
    }

    StepReply Amend(StepNode caller, AmendStep command)
    {
        var running = plan.Find(caller)!;
        var cwd = CallerFolder(command.Cwd);
        var carryOn = true;
        // New inputs join the step's links in one go, also when a later one is refused.
        var added = new List<FileNode>();
        var known = new HashSet<FileNode>(caller.Inputs, ReferenceEqualityComparer.Instance);
        try
        {
            foreach (var raw in command.Inp)
            {
                var path = PathRules.Normalize(root, cwd, raw);
                var file = graph.GetOrAddFile(path);
                if (file.State == FileState.Volatile && !file.IsOrphan) throw new ApiException($"'{path}' is a volatile output and cannot be an input.");
                if (ReferenceEquals(file.Producer, caller)) throw new ApiException($"'{path}' is an output of this step and cannot be its input.");
                if (file.Producer is { } producer && !producer.IsOrphan && DependsOn(producer, caller) is { } chain)
                    throw new ApiException("amending input '" + path + "' closes a dependency cycle: " + string.Join(" -> ", chain) + ".", Protocol.ErrorReply.CyclicKind);
                // A file under a static folder is static too, also when it appeared after the folder was declared.
                if ((command.ImplicitStatic || graph.StaticFolderOf(path) != null) && (file.Producer == null || file.Producer.IsOrphan) &&
                    (file.State != FileState.Static || file.IsOrphan))
                    DeclareStaticFile(caller, path, mustExist: false);
                if (known.Add(file))
                {
                    added.Add(file);
                    file.AddConsumer(caller);
                    caller.Dirty = true;
                }
                if (!plan.IsAvailable(file, caller))
                {
                    carryOn = false;
                    (running.DeferredFor ??= new List<string>()).Add(path);
                    if (file.Producer is { } p && !p.IsOrphan) plan.Want(p);
                }
                else if (plan.RanDuring(file, running))
                {
                    // Read before its producer was done, maybe: the step runs again, now that it is.
                    carryOn = false;
                    (running.DeferredFor ??= new List<string>()).Add(path);
                    (running.Unfresh ??= new List<string>()).Add(path);
                }
            }
        }
        finally
        {
            if (added.Count > 0) caller.AddInputs(added);
        }
        foreach (var (paths, isVolatile) in new[] { (command.Out, false), (command.Vol, true) })
        {
            foreach (var raw in paths)
            {
                var path = PathRules.Normalize(root, cwd, raw);
                CheckClaim(path, caller.Label, caller);
                var file = graph.GetOrAddFile(path);
                if (caller.Outputs.Contains(file) || caller.Volatiles.Contains(file))
                {
                    if (caller.Volatiles.Contains(file) != isVolatile)
                        throw new ApiException($"'{path}' is already amended as {(isVolatile ? "an output" : "a volatile output")}.");
                    continue;
                }
                file.Producer = caller;
                ProjectGraph.SetCreator(file, caller);
                file.State = isVolatile ? FileState.Volatile : FileState.Awaited;
                if (isVolatile) file.Stamp = null;
                file.Dirty = true;
                if (isVolatile) caller.AddVolatile(file);
                else caller.AddOutput(file);
                writes.PrepareOne(file);
            }
        }
        foreach (var name in command.Env)
            if (!caller.Definition.EnvNames.Contains(name) && !caller.AmendedEnv.Contains(name))
                caller.AmendEnv(name);
        return new AmendReply(carryOn);
    }

    /// <summary>The chain by which <paramref name="step"/> needs an output of <paramref name="of"/>, or null.</summary>
    static List<string>? DependsOn(StepNode step, StepNode of)
    {
        var path = GraphSearch.FindPath([step], GraphSearch.Producers, s => ReferenceEquals(s, of));
        if (path == null) return null;
        path.Reverse();
        return [.. path.Select(s => s.Label), of.Label];
    }

    StepInfoReply Info(StepDefinition d)
    {
        List<string> Rel(IEnumerable<string> paths) => paths.Select(p => PathRules.RelativeToWorkdir(root, d.Workdir, p)).ToList();
        return new StepInfoReply(d.Key, d.Label, d.Command, d.Workdir, Rel(d.Inputs), Rel(d.Outputs), Rel(d.Volatiles), d.EnvNames.ToList());
    }

    GraphReply WriteGraph(WriteGraph command)
    {
        var prefix = Path.GetFullPath(Path.Combine(string.IsNullOrEmpty(command.Cwd) ? root : command.Cwd, command.Prefix));
        GraphWriter.Write(graph, root, prefix);
        return new GraphReply([prefix + ".txt", prefix + "_provenance.dot", prefix + "_dependency.dot"]);
    }
}
