using System.Threading.Channels;
using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Building;

/// <summary>
/// One build of one project: decides which steps are needed, checks each as soon as its inputs are
/// ready (skip when its hash and outputs match the last success, run otherwise), runs at most
/// Jobs at once within the shared pool and the named resources, and records every result.
/// Running steps may define more steps and amend their own dependencies (BuildRun.Api.cs).
/// All graph changes happen on the loop; processes and API calls reach it through one inbox.
/// </summary>
public sealed partial class BuildRun
{
    readonly ProjectGraph _graph;
    readonly string _root;
    readonly BuildOptions _options;
    readonly IReadOnlyDictionary<string, string> _env;
    readonly IBuildEvents _events;
    readonly DirectorContext _context;
    readonly Action _checkpoint;
    readonly OutputWrites _writes;
    readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    readonly HashSet<StepNode> _needed = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<StepNode, HashSet<FileNode>> _waiting = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<StepNode> _done = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<StepNode> _queued = new(ReferenceEqualityComparer.Instance);
    readonly PriorityQueue<StepNode, (int, long)> _ready = new();
    readonly List<StepNode> _resourceWait = new();
    readonly Dictionary<StepNode, List<StepNode>> _creatorWait = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<string, int> _resourcesInUse = new(StringComparer.Ordinal);
    readonly Dictionary<StepNode, RunningStep> _runningSteps = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<StepNode, int> _deferCount = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> _targets;
    bool _draining;
    CancellationToken _ct;
    ShellWorkers _shells = null!;
    DateTime _lastCheckpoint = DateTime.UtcNow;

    public BuildSummary Summary { get; } = new();

    /// <summary>
    /// Set when nothing changed since a build that checked every step: a step that succeeded then,
    /// and depends on no environment variable, is up to date without computing its hash.
    /// </summary>
    public bool TrustHashes { get => _trustHashes; init => _trustHashes = value; }
    bool _trustHashes;

    public BuildRun(ProjectGraph graph, string root, BuildOptions options, IReadOnlyDictionary<string, string> env,
        IBuildEvents events, DirectorContext context, Action checkpoint)
    {
        _graph = graph;
        _root = root;
        _options = options;
        _env = env;
        _events = events;
        _context = context;
        _checkpoint = checkpoint;
        _writes = new OutputWrites(graph, root);
        _targets = new HashSet<string>(options.Targets, StringComparer.Ordinal);
    }

    sealed record Completion(StepNode Step, RunResult Result);

    /// <summary>A step between its start and the handling of its completion.</summary>
    sealed class RunningStep(string token)
    {
        public string Token { get; } = token;
        public bool Deferred { get; set; }
        public List<string> DeferredBecause { get; } = new();
    }

    public async Task<BuildSummary> RunAsync(CancellationToken ct)
    {
        _ct = ct;
        using var membership = _context.Pool.Join(_options.Jobs);
        using var shells = _shells = new ShellWorkers(BaseEnvironment());
        try
        {
            SelectNeeded();
            foreach (var step in _needed.OrderBy(s => s.Id).ToList()) Consider(step);

            while (true)
            {
                Dispatch();
                if (_runningSteps.Count == 0)
                {
                    if (_ready.Count == 0 || _draining || ct.IsCancellationRequested) break;
                    // Ready work, but the shared pool is full with other projects' steps.
                    await Task.WhenAny(_context.Pool.SlotFreed(), Task.Delay(Timeout.Infinite, ct)).ConfigureAwait(false);
                    continue;
                }
                Handle(await _inbox.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false));
                while (_inbox.Reader.TryRead(out var more)) Handle(more);
                if ((DateTime.UtcNow - _lastCheckpoint).TotalMilliseconds > 200)
                {
                    _checkpoint();
                    _lastCheckpoint = DateTime.UtcNow;
                }
            }
        }
        finally
        {
            // Calls that arrive after the last step ended get an answer, never silence.
            _inbox.Writer.TryComplete();
            while (_inbox.Reader.TryRead(out var late))
                if (late is ApiCall call) call.Reply.TrySetResult(ApiError("the step is no longer running"));
        }

        if (ct.IsCancellationRequested)
            _events.Report(Diagnostic.Error(Codes.Cancelled, "The build was cancelled; running steps were stopped."));
        foreach (var target in _targets)
            if (_graph.FindFile(target)?.Producer is not { } p || p.IsOrphan)
                _events.Report(Diagnostic.Warning(Codes.TargetNotProduced, $"Target '{target}' is not an output of any step."));
        ReportNotRun();
        Summary.Success = Summary.Failed == 0 && Summary.NotRun == 0 && !ct.IsCancellationRequested;
        return Summary;
    }

    void Handle(object item)
    {
        switch (item)
        {
            case Completion completion: Complete(completion); break;
            case ApiCall call: Answer(call); break;
        }
    }

    /// <summary>Non-optional steps (or the producers of the targets) and everything they need.</summary>
    void SelectNeeded()
    {
        var roots = new List<StepNode>();
        if (_targets.Count > 0)
        {
            foreach (var target in _targets)
                if (_graph.FindFile(target)?.Producer is { } producer && !producer.IsOrphan) roots.Add(producer);
        }
        else
        {
            roots.AddRange(_graph.Steps.Values.Where(s => !s.Definition.Optional && !s.Definition.LeftOut && !s.IsOrphan));
        }
        foreach (var step in roots) AddNeeded(step);
    }

    /// <summary>Marks a step needed, with the producers of its inputs and its creators; returns the new ones.</summary>
    List<StepNode> AddNeeded(StepNode start)
    {
        var added = new List<StepNode>();
        var stack = new Stack<StepNode>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var step = stack.Pop();
            if (step.IsOrphan || !_needed.Add(step)) continue;
            added.Add(step);
            foreach (var input in step.Inputs)
                if (input.Producer is { } producer && !producer.IsOrphan && !_needed.Contains(producer)) stack.Push(producer);
            // A step is only trusted once the step that defined it has run or been skipped.
            if (step.Creator is StepNode creator && !_needed.Contains(creator)) stack.Push(creator);
        }
        return added;
    }

    /// <summary>Makes a step (newly defined or newly wanted) part of this build.</summary>
    void Need(StepNode step)
    {
        var added = AddNeeded(step);
        foreach (var s in added) Consider(s);
        if (added.Count == 0 && _needed.Contains(step) && !_done.Contains(step) && !_runningSteps.ContainsKey(step) && !_queued.Contains(step))
            Consider(step);
    }

    /// <summary>Collects the inputs a step still waits for; queues it when there are none.</summary>
    void Consider(StepNode step)
    {
        var waiting = new HashSet<FileNode>(ReferenceEqualityComparer.Instance);
        var inputs = step.Inputs;
        for (var i = 0; i < inputs.Count; i++)
            if (!IsAvailable(inputs[i], step) && Blocks(inputs[i], step, amended: i >= step.Definition.Inputs.Count)) waiting.Add(inputs[i]);
        _waiting[step] = waiting;
        if (waiting.Count == 0) Enqueue(step);
    }

    /// <summary>
    /// Whether an unavailable input holds a step back. An input the step amended last time does not,
    /// unless a step of this build makes it or the step was deferred for it in this build: running
    /// again, the step starts from its definition and amends what it needs now.
    /// </summary>
    /// <param name="amended">The step's links list its definition's inputs first, then what it amended.</param>
    bool Blocks(FileNode input, StepNode step, bool amended)
    {
        if (!amended || _deferCount.ContainsKey(step)) return true;
        return input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, step);
    }

    bool IsAvailable(FileNode input, StepNode consumer)
    {
        if (input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, consumer))
            return _done.Contains(producer) && producer.State == StepState.Succeeded && input.State == FileState.Built;
        return input.State == FileState.Static && !input.IsOrphan;
    }

    void Enqueue(StepNode step)
    {
        if (_queued.Add(step)) _ready.Enqueue(step, (step.Definition.Planning ? 0 : 1, step.Id));
    }

    void Dispatch()
    {
        if (_draining || _ct.IsCancellationRequested) return;
        while (_ready.TryPeek(out var step, out _))
        {
            if (step.IsOrphan || _done.Contains(step) || _runningSteps.ContainsKey(step))
            {
                Dequeue();
                continue;
            }
            if (UnsettledCreator(step) is { } creator)
            {
                Dequeue();
                if (!_creatorWait.TryGetValue(creator, out var list)) _creatorWait[creator] = list = new();
                list.Add(step);
                continue;
            }
            if (CanSkip(step))
            {
                Dequeue();
                _events.Line("SKIP", step.Label);
                Summary.Skipped++;
                Finish(step);
                continue;
            }
            if (_runningSteps.Count >= _options.Jobs) return;
            if (!TakeResources(step))
            {
                Dequeue();
                _resourceWait.Add(step);
                continue;
            }
            if (!_context.Pool.TryAcquire())
            {
                ReleaseResources(step, requeue: false);
                return;
            }
            Dequeue();
            Start(step);
        }
    }

    void Dequeue() => _queued.Remove(_ready.Dequeue());

    /// <summary>The first creator of a step that has neither run nor been skipped in this build.</summary>
    StepNode? UnsettledCreator(StepNode step)
    {
        for (var node = step.Creator; node is StepNode creator; node = creator.Creator)
        {
            if (_runningSteps.ContainsKey(creator)) continue;
            if (_done.Contains(creator) && creator.State == StepState.Succeeded) continue;
            return creator;
        }
        return null;
    }

    bool CanSkip(StepNode step)
    {
        var candidate = step.State == StepState.Succeeded && step.SuccessHash != null &&
            step.Outputs.All(o => o.State == FileState.Built) && step.Inputs.All(i => IsAvailable(i, step));
        if (candidate && _trustHashes && step.Definition.EnvNames.Count == 0 && step.AmendedEnv.Count == 0) return true;
        var hash = candidate || _options.ExplainRerun ? StepHasher.Compute(step, _env) : null;
        if (candidate && step.SuccessHash == hash) return true;
        if (_options.ExplainRerun)
        {
            var reason = step.RerunReason
                ?? (step.SuccessHash == null ? "it has not succeeded before"
                : step.SuccessHash != hash ? "an input or a listed environment variable changed"
                : "an output is not built");
            _events.Line("EXPLAIN", $"{step.Label}: runs because {reason}");
        }
        return false;
    }

    bool TakeResources(StepNode step)
    {
        foreach (var (name, units) in step.Definition.Resources)
        {
            var available = _options.Resources.TryGetValue(name, out var a) ? a : 0;
            var used = _resourcesInUse.TryGetValue(name, out var u) ? u : 0;
            if (used + units > available) return false;
        }
        foreach (var (name, units) in step.Definition.Resources)
            _resourcesInUse[name] = (_resourcesInUse.TryGetValue(name, out var u) ? u : 0) + units;
        return true;
    }

    void ReleaseResources(StepNode step, bool requeue = true)
    {
        foreach (var (name, units) in step.Definition.Resources) _resourcesInUse[name] -= units;
        if (!requeue || step.Definition.Resources.Count == 0) return;
        foreach (var waiting in _resourceWait) Enqueue(waiting);
        _resourceWait.Clear();
    }

    void Start(StepNode step)
    {
        // A step that runs may change what later steps read: from now on every check hashes.
        _trustHashes = false;
        ResetForRerun(step);
        var token = _context.Steps.Register(new CallTarget(this, step));
        var running = new RunningStep(token);
        _runningSteps[step] = running;
        step.State = StepState.Running;
        step.Dirty = true;
        _events.Line("START", step.Label);
        var workdir = PathRules.FullPath(_root, step.Definition.Workdir);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Protocol.ProtocolInfo.EnvStepKey] = step.Definition.Key,
            [Protocol.ProtocolInfo.EnvStepToken] = token,
        };
        foreach (var (name, value) in step.Definition.Variables) env[name] = value;
        try
        {
            _writes.Prepare(step);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _inbox.Writer.TryWrite(new Completion(step, new RunResult(-1, "", "", false, e.Message)));
            return;
        }
        _shells.Start(step.Definition.Command, workdir, env, _ct,
            result => _inbox.Writer.TryWrite(new Completion(step, result)));
    }

    /// <summary>
    /// A step that runs again starts from its definition: what it defined or amended last time is
    /// detached (an orphan until it defines the same again, which restores it with its state).
    /// </summary>
    void ResetForRerun(StepNode step)
    {
        foreach (var product in step.Products.ToList())
            if (product is StepNode || (product is FileNode f && !step.Outputs.Contains(f) && !step.Volatiles.Contains(f)))
                ProjectGraph.SetCreator(product, null);
        _graph.LinkStep(step);
        step.AmendedEnv.Clear();
        if (_creatorWait.Remove(step, out var waiting))
            foreach (var s in waiting) Enqueue(s);
    }

    /// <summary>What every step of this build sees: the build's environment and how to reach StepUp.</summary>
    Dictionary<string, string> BaseEnvironment()
    {
        var env = new Dictionary<string, string>(_env, StringComparer.Ordinal)
        {
            [Protocol.ProtocolInfo.EnvRoot] = _root,
        };
        if (_context.SocketPath != null) env[Protocol.ProtocolInfo.EnvDirectorSocket] = _context.SocketPath;
        if (_context.ToolsDirectory != null)
        {
            env["PATH"] = Path.Combine(_context.ToolsDirectory, "bin") + (env.TryGetValue("PATH", out var path) && path.Length > 0 ? ":" + path : "");
            env["PYTHONPATH"] = Path.Combine(_context.ToolsDirectory, "python") + (env.TryGetValue("PYTHONPATH", out var py) && py.Length > 0 ? ":" + py : "");
        }
        return env;
    }

    void Complete(Completion c)
    {
        var step = c.Step;
        var running = _runningSteps[step];
        _runningSteps.Remove(step);
        _context.Steps.Unregister(running.Token);
        _context.Pool.Release();
        ReleaseResources(step);
        var result = c.Result;

        // Hash inputs and outputs now: amended ones are known only after the command ended.
        var changedInputs = step.Inputs.Where(i => i.Stamp is { } before && (i.State is FileState.Static or FileState.Built) &&
            !FileStamper.Stamp(PathRules.FullPath(_root, i.Path), before).SameContent(before)).ToList();
        var hash = StepHasher.Compute(step, _env);
        var missingOutputs = new List<string>();
        foreach (var output in step.Outputs)
        {
            var stamp = FileStamper.Stamp(PathRules.FullPath(_root, output.Path), output.Stamp);
            output.Dirty = true;
            if (stamp.Exists) { output.Stamp = stamp; output.State = FileState.Outdated; }
            else { output.State = FileState.Awaited; missingOutputs.Add(output.Path); }
        }
        _writes.NoteWritten(step);
        step.Dirty = true;
        step.RerunReason = null;
        step.SuccessHash = null;

        if (running.Deferred && changedInputs.Count == 0 && !result.Cancelled)
        {
            Defer(step, running);
            return;
        }
        var ok = result.StartError == null && !result.Cancelled && result.ExitCode == 0 && missingOutputs.Count == 0 && changedInputs.Count == 0;
        if (ok)
        {
            foreach (var output in step.Outputs) output.State = FileState.Built;
            step.State = StepState.Succeeded;
            step.SuccessHash = hash;
            _deferCount.Remove(step);
            Summary.Ran++;
            _events.Line("SUCCESS", step.Label);
            Pages(result);
            Finish(step);
            return;
        }

        step.State = StepState.Failed;
        Summary.Failed++;
        _events.Line("FAIL", step.Label);
        Pages(result);
        var loc = LocationOf(step);
        if (result.Cancelled)
            _events.Report(Diagnostic.Error(Codes.Cancelled, $"Step '{step.Label}' was stopped because the build was cancelled.", loc));
        else if (result.StartError != null)
            _events.Report(Diagnostic.Error(Codes.StepError, $"Step '{step.Label}' could not start: {result.StartError}", loc));
        else if (result.ExitCode != 0)
            _events.Report(Diagnostic.Error(Codes.StepFailed, $"Step '{step.Label}' failed with exit code {result.ExitCode}.", loc));
        if (changedInputs.Count > 0)
            _events.Report(Diagnostic.Error(Codes.InputChanged,
                $"Step '{step.Label}' failed: its input changed while it ran: {string.Join(", ", changedInputs.Select(i => i.Path))}.", loc));
        if (result.ExitCode == 0 && !result.Cancelled && missingOutputs.Count > 0)
            _events.Report(Diagnostic.Error(Codes.OutputsNotCreated,
                $"Step '{step.Label}' did not create its output(s): {string.Join(", ", missingOutputs)}.", loc));
        foreach (var input in changedInputs)
        {
            // The input is what it is now: the next build sees the change.
            if (input.State == FileState.Built) input.State = FileState.Outdated;
            input.Dirty = true;
        }
        // What a failed step defined is not trusted.
        foreach (var product in step.Products.OfType<StepNode>().ToList()) ProjectGraph.SetCreator(product, null);
        _done.Add(step);
        if (!_options.KeepGoing) _draining = true;
    }

    /// <summary>A step that asked for inputs not built yet runs again, from scratch, once they are.</summary>
    void Defer(StepNode step, RunningStep running)
    {
        var count = _deferCount[step] = (_deferCount.TryGetValue(step, out var n) ? n : 0) + 1;
        if (count > _context.DeferCap)
        {
            step.State = StepState.Failed;
            Summary.Failed++;
            _events.Line("FAIL", step.Label);
            _events.Report(Diagnostic.Error(Codes.StepFailed,
                $"Step '{step.Label}' was deferred more than {_context.DeferCap} times waiting for amended inputs: {string.Join(", ", running.DeferredBecause)}.",
                LocationOf(step)));
            _done.Add(step);
            if (!_options.KeepGoing) _draining = true;
            return;
        }
        step.State = StepState.Pending;
        _events.Line("DEFERRED", step.Label);
        Consider(step);
    }

    /// <summary>Where to point MSBuild for a step: its item, or the item of the step that defined it.</summary>
    static SourceLocation LocationOf(StepNode step)
    {
        for (Node? node = step; node is StepNode s; node = s.Creator)
            if (s.Definition.Location.File.Length > 0) return s.Definition.Location;
        return SourceLocation.None;
    }

    void Pages(RunResult result)
    {
        if (result.Stdout.Length > 0) _events.Page("Standard output", result.Stdout);
        if (result.Stderr.Length > 0) _events.Page("Standard error", result.Stderr);
    }

    /// <summary>Marks a step done; wakes the consumers of its outputs and the steps it defined.</summary>
    void Finish(StepNode step)
    {
        _done.Add(step);
        foreach (var output in step.Outputs)
            foreach (var consumer in output.Consumers)
                Satisfied(consumer, output);
        if (_creatorWait.Remove(step, out var waiting))
            foreach (var s in waiting) Enqueue(s);
    }

    /// <summary>An input of a waiting step became available.</summary>
    void Satisfied(StepNode consumer, FileNode input)
    {
        if (!_needed.Contains(consumer) || _done.Contains(consumer) || !_waiting.TryGetValue(consumer, out var waiting)) return;
        if (waiting.Remove(input) && waiting.Count == 0) Enqueue(consumer);
    }

    /// <summary>Needed steps that never ran: say why, when it is not an earlier failure.</summary>
    void ReportNotRun()
    {
        var notDone = _needed.Where(s => !_done.Contains(s) && !s.IsOrphan).OrderBy(s => s.Id).ToList();
        Summary.NotRun = notDone.Count;
        if (_draining || _ct.IsCancellationRequested) return;
        var waitingOnOthers = new List<StepNode>();
        foreach (var step in notDone)
        {
            var missing = step.Inputs.Where(i => !IsAvailable(i, step) && (i.Producer == null || i.Producer.IsOrphan)).Select(i => i.Path).ToList();
            if (missing.Count > 0)
                _events.Report(Diagnostic.Error(Codes.MissingInput,
                    $"Step '{step.Label}' cannot run: input(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))} are neither static nor made by a step.",
                    LocationOf(step)));
            else if (_resourceWait.Contains(step))
                _events.Report(Diagnostic.Error(Codes.MissingInput,
                    $"Step '{step.Label}' cannot run: it needs more of resource(s) {string.Join(", ", step.Definition.Resources.Select(r => r.Key + ":" + r.Value))} than StepUpResources provides.",
                    LocationOf(step)));
            else
                waitingOnOthers.Add(step);
        }
        if (waitingOnOthers.Count > 0 && CycleAmong(waitingOnOthers) is { } cycle)
            _events.Report(Diagnostic.Error(Codes.Cycle,
                "Dependency cycle between steps (found while running): " + string.Join(" -> ", cycle.Select(s => s.Label)) + ".", LocationOf(cycle[0])));
    }

    /// <summary>A cycle of steps that wait for each other's outputs, if any.</summary>
    static List<StepNode>? CycleAmong(List<StepNode> steps)
    {
        var set = new HashSet<StepNode>(steps, ReferenceEqualityComparer.Instance);
        var state = new Dictionary<StepNode, int>(ReferenceEqualityComparer.Instance);
        var path = new List<StepNode>();
        List<StepNode>? Visit(StepNode step)
        {
            state[step] = 1;
            path.Add(step);
            foreach (var producer in step.Inputs.Select(i => i.Producer).OfType<StepNode>().Where(set.Contains))
            {
                if (state.TryGetValue(producer, out var s) && s == 1)
                    return path.Skip(path.IndexOf(producer)).Append(producer).ToList();
                if (!state.ContainsKey(producer) && Visit(producer) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[step] = 2;
            return null;
        }
        foreach (var step in steps)
            if (!state.ContainsKey(step) && Visit(step) is { } cycle) return cycle;
        return null;
    }
}
