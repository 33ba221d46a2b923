using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Engine.Reporting;
using StepUp.Protocol;

namespace StepUp.Engine.Building;

/// <summary>
/// The calls a running step makes (docs/step-api.md): define steps, declare static files, amend its
/// own dependencies, read its definition, write the graph. Each is answered on the build's loop.
/// </summary>
public sealed partial class BuildRun
{
    sealed record ApiCall(StepNode Step, Dictionary<string, object?> Request, TaskCompletionSource<Dictionary<string, object?>> Reply);

    sealed class CallTarget(BuildRun run, StepNode step) : IStepCallTarget
    {
        public Task<Dictionary<string, object?>> CallAsync(Dictionary<string, object?> request)
        {
            var call = new ApiCall(step, request, new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!run._inbox.Writer.TryWrite(call)) return Task.FromResult(ApiError("the step is no longer running"));
            return call.Reply.Task;
        }
    }

    sealed class ApiException(string message) : Exception(message);

    static Dictionary<string, object?> ApiError(string message) => new() { ["type"] = "error", ["message"] = message };

    void Answer(ApiCall call)
    {
        Dictionary<string, object?> reply;
        try
        {
            if (!_runningSteps.ContainsKey(call.Step)) throw new ApiException("the step is no longer running");
            reply = (call.Request.Str("type") ?? "") switch
            {
                "api.step" => DefineStep(call.Step, call.Request, "Step"),
                "api.script" => DefineStep(call.Step, call.Request, "Script"),
                "api.static" => DeclareStatic(call.Step, call.Request),
                "api.amend" => Amend(call.Step, call.Request),
                "api.info" => Info(call.Step.Definition),
                "api.graph" => WriteGraph(call.Request),
                var other => throw new ApiException($"unknown call '{other}'"),
            };
            reply["type"] = "ok";
        }
        catch (ApiException e)
        {
            reply = ApiError(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            reply = ApiError(e.Message);
        }
        call.Reply.TrySetResult(reply);
    }

    /// <summary>The caller's working folder, root-relative.</summary>
    string CallerFolder(Dictionary<string, object?> request)
    {
        var cwd = request.Str("cwd");
        return string.IsNullOrEmpty(cwd) ? "." : PathRules.ToGraphPath(Path.GetFullPath(_root), Path.GetFullPath(cwd));
    }

    Dictionary<string, object?> DefineStep(StepNode caller, Dictionary<string, object?> request, string itemType)
    {
        var cwd = CallerFolder(request);
        var workdir = PathRules.Normalize(_root, cwd, request.Str("workdir") is { Length: > 0 } w ? w : ".");
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Command"] = request.Str("command") ?? "",
            ["Workdir"] = workdir,
            ["Inp"] = string.Join(";", request.Strings("inp")),
            ["Out"] = string.Join(";", request.Strings("out")),
            ["Vol"] = string.Join(";", request.Strings("vol")),
            ["Env"] = string.Join(";", request.Strings("env")),
            ["Optional"] = request.Bool("optional") ? "true" : "false",
            ["Planning"] = request.Bool("planning") ? "true" : "false",
            ["Resources"] = request.Str("resources") ?? "",
            ["StepInfo"] = request.Str("stepInfo") ?? "",
        };
        var include = itemType == "Script" ? request.Str("executable") ?? "" : request.Str("name") ?? "";
        var planner = new Planner(_root, _env);
        var (definition, problems) = planner.PlanOne(new ItemSpec(itemType, include, meta, LocationOf(caller)));
        if (problems.Count > 0 || definition == null) throw new ApiException(string.Join(" ", problems.Select(p => p.Message)));

        var existing = _graph.FindStep(definition.Key);
        if (existing != null && !existing.IsOrphan && !ReferenceEquals(existing.Creator, caller))
            throw new ApiException($"step '{definition.Label}' is already defined by {existing.Creator?.Key}.");
        if (existing != null && ReferenceEquals(existing.Creator, caller) && !existing.Definition.SameAs(definition))
            throw new ApiException($"step '{definition.Label}' is defined twice, differently.");
        foreach (var path in definition.Outputs.Concat(definition.Volatiles)) CheckClaim(path, definition.Label, existing);
        foreach (var path in definition.Inputs)
            if (_graph.FindFile(path) is { State: FileState.Volatile, IsOrphan: false })
                throw new ApiException($"step '{definition.Label}' uses '{path}' as input, but it is a volatile output.");
        if (CycleThrough(definition) is { } cycle)
            throw new ApiException("this step would close a dependency cycle: " + string.Join(" -> ", cycle) + ".");

        // A planning step's own script is static unless a step makes it.
        if (definition.Planning && planner.LocalExecutable(definition) is { } exe)
            DeclareStaticFile(caller, exe, mustExist: true);

        var step = PlanApplier.ApplyStep(_graph, caller, definition);
        if (WantedNow(step)) Need(step);
        return Info(step.Definition);
    }

    /// <summary>A new step is part of this build when it is mandatory or a needed step waits for it.</summary>
    bool WantedNow(StepNode step)
    {
        if (step.Outputs.Any(o => _targets.Contains(o.Path))) return true;
        if (_targets.Count == 0 && !step.Definition.Optional) return true;
        return step.Outputs.Any(o => o.Consumers.Any(c => _needed.Contains(c) && !c.IsOrphan));
    }

    void CheckClaim(string path, string label, StepNode? self)
    {
        if (!PathRules.IsInsideRoot(path) || PathRules.IsInStateFolder(path))
            throw new ApiException($"output '{path}' of step '{label}' is outside the project root or inside .stepup/.");
        var file = _graph.FindFile(path);
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
        var start = definition.Outputs.Select(_graph.FindFile).OfType<FileNode>().SelectMany(f => f.Consumers).Where(c => !c.IsOrphan);
        var parent = new Dictionary<StepNode, StepNode?>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<StepNode>();
        foreach (var s in start) if (parent.TryAdd(s, null)) queue.Enqueue(s);
        while (queue.Count > 0)
        {
            var step = queue.Dequeue();
            if (step.Definition.Key != definition.Key && step.Outputs.Any(o => inputs.Contains(o.Path)))
            {
                var chain = new List<string>();
                for (StepNode? s = step; s != null; s = parent[s]) chain.Add(s.Label);
                chain.Reverse();
                return new[] { definition.Label }.Concat(chain).Append(definition.Label).ToList();
            }
            foreach (var next in step.Outputs.SelectMany(o => o.Consumers))
                if (!next.IsOrphan && parent.TryAdd(next, step)) queue.Enqueue(next);
        }
        return null;
    }

    Dictionary<string, object?> DeclareStatic(StepNode caller, Dictionary<string, object?> request)
    {
        var cwd = CallerFolder(request);
        var declared = new List<object?>();
        foreach (var raw in request.Strings("paths"))
        {
            var isFolder = raw.EndsWith('/');
            var path = PathRules.Normalize(_root, cwd, raw.TrimEnd('/'));
            var full = PathRules.FullPath(_root, path);
            if (isFolder || Directory.Exists(full))
            {
                if (!Directory.Exists(full)) throw new ApiException($"static folder '{raw}' does not exist.");
                foreach (var filePath in PathRules.FilesUnder(Path.GetFullPath(_root), full))
                {
                    DeclareStaticFile(caller, filePath, mustExist: true);
                    declared.Add(filePath);
                }
                continue;
            }
            DeclareStaticFile(caller, path, mustExist: true);
            declared.Add(path);
        }
        return new() { ["paths"] = declared };
    }

    /// <summary>Declares a file static on behalf of a running step, and wakes steps that waited for it.</summary>
    void DeclareStaticFile(StepNode caller, string path, bool mustExist)
    {
        if (PathRules.IsInStateFolder(path)) throw new ApiException($"'{path}' is inside .stepup/, which belongs to StepUp.");
        var file = _graph.GetOrAddFile(path);
        if (file.Producer is { } producer && !producer.IsOrphan)
            throw new ApiException($"'{path}' cannot be static: step '{producer.Label}' makes it.");
        var wasAvailable = file.State == FileState.Static && !file.IsOrphan;
        ProjectGraph.MakeStatic(file);
        if (file.IsOrphan || !ReferenceEquals(file.Creator, caller) && file.Creator is not RootNode)
            ProjectGraph.SetCreator(file, caller);
        var stamp = FileStamper.Stamp(PathRules.FullPath(_root, path), file.Stamp);
        if (!stamp.Exists && mustExist) throw new ApiException($"static file '{path}' does not exist.");
        file.State = stamp.Exists ? FileState.Static : FileState.Missing;
        file.Stamp = stamp.Exists ? stamp : null;
        file.Dirty = true;
        if (!wasAvailable && file.State == FileState.Static)
            foreach (var consumer in file.Consumers.ToList()) Satisfied(consumer, file);
    }

    Dictionary<string, object?> Amend(StepNode caller, Dictionary<string, object?> request)
    {
        var running = _runningSteps[caller];
        var cwd = CallerFolder(request);
        var implicitStatic = request.Bool("implicitStatic");
        var carryOn = true;
        foreach (var raw in request.Strings("inp"))
        {
            var path = PathRules.Normalize(_root, cwd, raw);
            var file = _graph.GetOrAddFile(path);
            if (file.State == FileState.Volatile && !file.IsOrphan) throw new ApiException($"'{path}' is a volatile output and cannot be an input.");
            if (ReferenceEquals(file.Producer, caller)) throw new ApiException($"'{path}' is an output of this step and cannot be its input.");
            if (file.Producer is { } producer && !producer.IsOrphan && DependsOn(producer, caller) is { } chain)
                throw new ApiException("amending input '" + path + "' closes a dependency cycle: " + string.Join(" -> ", chain) + ".");
            if (implicitStatic && (file.Producer == null || file.Producer.IsOrphan) && (file.State != FileState.Static || file.IsOrphan))
                DeclareStaticFile(caller, path, mustExist: false);
            if (!caller.Inputs.Contains(file))
            {
                caller.Inputs.Add(file);
                file.Consumers.Add(caller);
                caller.Dirty = true;
            }
            if (!IsAvailable(file, caller))
            {
                carryOn = false;
                running.DeferredBecause.Add(path);
                if (file.Producer is { } p && !p.IsOrphan) Need(p);
            }
        }
        foreach (var (key, isVolatile) in new[] { ("out", false), ("vol", true) })
        {
            foreach (var raw in request.Strings(key))
            {
                var path = PathRules.Normalize(_root, cwd, raw);
                CheckClaim(path, caller.Label, caller);
                var file = _graph.GetOrAddFile(path);
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
                (isVolatile ? caller.Volatiles : caller.Outputs).Add(file);
                Directory.CreateDirectory(Path.GetDirectoryName(PathRules.FullPath(_root, path))!);
            }
        }
        foreach (var name in request.Strings("env"))
            if (!caller.Definition.EnvNames.Contains(name) && !caller.AmendedEnv.Contains(name))
                caller.AmendedEnv.Add(name);
        if (!carryOn) running.Deferred = true;
        return new() { ["carryOn"] = carryOn };
    }

    /// <summary>The chain by which <paramref name="step"/> needs an output of <paramref name="of"/>, or null.</summary>
    static List<string>? DependsOn(StepNode step, StepNode of)
    {
        var parent = new Dictionary<StepNode, StepNode?>(ReferenceEqualityComparer.Instance) { [step] = null };
        var queue = new Queue<StepNode>();
        queue.Enqueue(step);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var producer in current.Inputs.Select(i => i.Producer).OfType<StepNode>())
            {
                if (producer.IsOrphan || !parent.TryAdd(producer, current)) continue;
                if (ReferenceEquals(producer, of))
                {
                    var chain = new List<string>();
                    for (StepNode? s = producer; s != null; s = parent[s]) chain.Add(s.Label);
                    chain.Add(of.Label);
                    return chain;
                }
                queue.Enqueue(producer);
            }
        }
        return null;
    }

    Dictionary<string, object?> Info(StepDefinition d)
    {
        List<object?> Rel(IEnumerable<string> paths) => paths.Select(p => (object?)PathRules.RelativeToWorkdir(_root, d.Workdir, p)).ToList();
        return new()
        {
            ["key"] = d.Key,
            ["label"] = d.Label,
            ["command"] = d.Command,
            ["workdir"] = d.Workdir,
            ["inp"] = Rel(d.Inputs),
            ["out"] = Rel(d.Outputs),
            ["vol"] = Rel(d.Volatiles),
            ["env"] = d.EnvNames.Cast<object?>().ToList(),
        };
    }

    Dictionary<string, object?> WriteGraph(Dictionary<string, object?> request)
    {
        var prefix = Path.GetFullPath(Path.Combine(request.Str("cwd") ?? _root, request.Str("prefix") ?? "graph"));
        GraphWriter.Write(_graph, _root, prefix);
        return new() { ["files"] = new List<object?> { prefix + ".txt", prefix + "_provenance.dot", prefix + "_dependency.dot" } };
    }
}
