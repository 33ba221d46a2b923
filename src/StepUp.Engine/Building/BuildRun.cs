using System.Threading.Channels;
using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Building;

/// <summary>
/// One build of one project: decides which steps are needed, checks each as soon as its inputs are
/// ready (skip when its hash and outputs match the last success, run otherwise), runs at most
/// Jobs at once within the shared pool and the named resources, and records every result.
/// All graph changes happen on the loop; processes report back through a channel.
/// </summary>
public sealed class BuildRun
{
    readonly ProjectGraph _graph;
    readonly string _root;
    readonly BuildOptions _options;
    readonly IReadOnlyDictionary<string, string> _env;
    readonly IBuildEvents _events;
    readonly JobPool _pool;
    readonly Action _checkpoint;
    readonly Channel<Completion> _completions = Channel.CreateUnbounded<Completion>(new UnboundedChannelOptions { SingleReader = true });

    readonly HashSet<StepNode> _needed = new(ReferenceEqualityComparer.Instance);
    readonly Dictionary<StepNode, int> _waiting = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<StepNode> _done = new(ReferenceEqualityComparer.Instance);
    readonly PriorityQueue<StepNode, (int, long)> _ready = new();
    readonly List<StepNode> _resourceWait = new();
    readonly Dictionary<string, int> _resourcesInUse = new(StringComparer.Ordinal);
    int _running;
    bool _draining;
    DateTime _lastCheckpoint = DateTime.UtcNow;

    public BuildSummary Summary { get; } = new();

    public BuildRun(ProjectGraph graph, string root, BuildOptions options, IReadOnlyDictionary<string, string> env,
        IBuildEvents events, JobPool pool, Action checkpoint)
    {
        _graph = graph;
        _root = root;
        _options = options;
        _env = env;
        _events = events;
        _pool = pool;
        _checkpoint = checkpoint;
    }

    sealed record Completion(StepNode Step, string Hash, RunResult Result, Dictionary<FileNode, FileStamp> Inputs, Dictionary<FileNode, FileStamp> Outputs);

    public async Task<BuildSummary> RunAsync(CancellationToken ct)
    {
        using var membership = _pool.Join(_options.Jobs);
        SelectNeeded();
        foreach (var step in _needed) Consider(step);

        while (true)
        {
            Dispatch(ct);
            if (_running == 0)
            {
                if (_ready.Count == 0 || _draining || ct.IsCancellationRequested) break;
                // Ready work, but the shared pool is full with other projects' steps.
                await Task.WhenAny(_pool.SlotFreed(), Task.Delay(Timeout.Infinite, ct)).ConfigureAwait(false);
                continue;
            }
            var completion = await _completions.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            Complete(completion);
            while (_completions.Reader.TryRead(out var more)) Complete(more);
            if ((DateTime.UtcNow - _lastCheckpoint).TotalMilliseconds > 200)
            {
                _checkpoint();
                _lastCheckpoint = DateTime.UtcNow;
            }
        }

        if (ct.IsCancellationRequested)
            _events.Report(Diagnostic.Error(Codes.Cancelled, "The build was cancelled; running steps were stopped."));
        ReportNotRun();
        Summary.Success = Summary.Failed == 0 && Summary.NotRun == 0 && !ct.IsCancellationRequested;
        return Summary;
    }

    /// <summary>Non-optional steps (or the producers of the targets) and everything they need.</summary>
    void SelectNeeded()
    {
        var stack = new Stack<StepNode>();
        if (_options.Targets.Count > 0)
        {
            foreach (var target in _options.Targets)
            {
                var file = _graph.FindFile(target);
                if (file?.Producer is { } producer && !producer.IsOrphan) stack.Push(producer);
                else _events.Report(Diagnostic.Warning(Codes.TargetNotProduced, $"Target '{target}' is not an output of any step."));
            }
        }
        else
        {
            foreach (var step in _graph.Steps.Values)
                if (!step.Definition.Optional && !step.IsOrphan) stack.Push(step);
        }
        while (stack.Count > 0)
        {
            var step = stack.Pop();
            if (!_needed.Add(step)) continue;
            foreach (var input in step.Inputs)
                if (input.Producer is { } producer && !producer.IsOrphan && !_needed.Contains(producer)) stack.Push(producer);
        }
    }

    /// <summary>Counts the inputs a step still waits for; queues it when there are none.</summary>
    void Consider(StepNode step)
    {
        var waiting = 0;
        foreach (var input in step.Inputs)
            if (!IsAvailable(input, step)) waiting++;
        _waiting[step] = waiting;
        if (waiting == 0) Enqueue(step);
    }

    bool IsAvailable(FileNode input, StepNode consumer)
    {
        if (input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, consumer))
            return _done.Contains(producer) && producer.State == StepState.Succeeded && input.State == FileState.Built;
        return input.State == FileState.Static && !input.IsOrphan;
    }

    void Enqueue(StepNode step) =>
        _ready.Enqueue(step, (step.Definition.Planning ? 0 : 1, step.Id));

    void Dispatch(CancellationToken ct)
    {
        if (_draining || ct.IsCancellationRequested) return;
        while (_ready.TryPeek(out var step, out _))
        {
            var hash = StepHasher.Compute(step, _env);
            if (CanSkip(step, hash))
            {
                _ready.Dequeue();
                _events.Line("SKIP", step.Label);
                Summary.Skipped++;
                Finish(step);
                continue;
            }
            if (_running >= _options.Jobs) return;
            if (!TakeResources(step))
            {
                _ready.Dequeue();
                _resourceWait.Add(step);
                continue;
            }
            if (!_pool.TryAcquire())
            {
                ReleaseResources(step);
                return;
            }
            _ready.Dequeue();
            Start(step, hash, ct);
        }
    }

    bool CanSkip(StepNode step, string hash)
    {
        if (step.State == StepState.Succeeded && step.SuccessHash == hash &&
            step.Outputs.All(o => o.State == FileState.Built))
            return true;
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

    void ReleaseResources(StepNode step)
    {
        foreach (var (name, units) in step.Definition.Resources) _resourcesInUse[name] -= units;
        if (step.Definition.Resources.Count == 0) return;
        foreach (var waiting in _resourceWait) Enqueue(waiting);
        _resourceWait.Clear();
    }

    void Start(StepNode step, string hash, CancellationToken ct)
    {
        _running++;
        step.State = StepState.Running;
        step.Dirty = true;
        _events.Line("START", step.Label);
        var workdir = PathRules.FullPath(_root, step.Definition.Workdir);
        var inputs = step.Inputs.ToDictionary(i => i, i => i.Stamp ?? FileStamp.Missing, ReferenceEqualityComparer.Instance as IEqualityComparer<FileNode>);
        var outputs = step.Outputs.ToList();
        var env = StepEnvironment(step);
        _ = Task.Run(async () =>
        {
            RunResult result;
            try
            {
                Directory.CreateDirectory(workdir);
                foreach (var output in outputs.Concat(step.Volatiles))
                    Directory.CreateDirectory(Path.GetDirectoryName(PathRules.FullPath(_root, output.Path))!);
                result = await StepRunner.RunAsync(step.Definition.Command, workdir, env, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result = new RunResult(-1, "", "", false, e.Message);
            }
            var after = new Dictionary<FileNode, FileStamp>(ReferenceEqualityComparer.Instance as IEqualityComparer<FileNode>);
            foreach (var (input, before) in inputs)
                after[input] = FileStamper.Stamp(PathRules.FullPath(_root, input.Path), before);
            var built = new Dictionary<FileNode, FileStamp>(ReferenceEqualityComparer.Instance as IEqualityComparer<FileNode>);
            foreach (var output in outputs)
                built[output] = FileStamper.Stamp(PathRules.FullPath(_root, output.Path), output.Stamp);
            _completions.Writer.TryWrite(new Completion(step, hash, result, after, built));
        }, CancellationToken.None);
    }

    Dictionary<string, string> StepEnvironment(StepNode step)
    {
        var env = new Dictionary<string, string>(_env, StringComparer.Ordinal)
        {
            [Protocol.ProtocolInfo.EnvRoot] = _root,
            [Protocol.ProtocolInfo.EnvStepKey] = step.Definition.Key,
        };
        return env;
    }

    void Complete(Completion c)
    {
        var step = c.Step;
        _running--;
        _pool.Release();
        ReleaseResources(step);
        var result = c.Result;
        var changedInputs = c.Inputs.Where(kv => step.Inputs.Contains(kv.Key) && kv.Key.Stamp is { } before && !kv.Value.SameContent(before))
            .Select(kv => kv.Key.Path).ToList();
        var missingOutputs = c.Outputs.Where(kv => !kv.Value.Exists).Select(kv => kv.Key.Path).ToList();
        var ok = result.StartError == null && !result.Cancelled && result.ExitCode == 0 && missingOutputs.Count == 0 && changedInputs.Count == 0;

        foreach (var (output, stamp) in c.Outputs)
        {
            output.Dirty = true;
            if (stamp.Exists)
            {
                output.Stamp = stamp;
                output.State = ok ? FileState.Built : FileState.Outdated;
            }
            else
            {
                output.State = FileState.Awaited;
            }
        }
        step.Dirty = true;
        step.RerunReason = null;
        if (ok)
        {
            step.State = StepState.Succeeded;
            step.SuccessHash = c.Hash;
            Summary.Ran++;
            _events.Line("SUCCESS", step.Label);
            Pages(result);
            Finish(step);
            return;
        }

        step.State = StepState.Failed;
        step.SuccessHash = null;
        Summary.Failed++;
        _events.Line("FAIL", step.Label);
        Pages(result);
        var loc = step.Definition.Location;
        if (result.Cancelled)
            _events.Report(Diagnostic.Error(Codes.Cancelled, $"Step '{step.Label}' was stopped because the build was cancelled.", loc));
        else if (result.StartError != null)
            _events.Report(Diagnostic.Error(Codes.StepError, $"Step '{step.Label}' could not start: {result.StartError}", loc));
        else if (result.ExitCode != 0)
            _events.Report(Diagnostic.Error(Codes.StepFailed, $"Step '{step.Label}' failed with exit code {result.ExitCode}.", loc));
        if (changedInputs.Count > 0)
            _events.Report(Diagnostic.Error(Codes.InputChanged,
                $"Step '{step.Label}' failed: its input changed while it ran: {string.Join(", ", changedInputs)}.", loc));
        if (result.ExitCode == 0 && !result.Cancelled && missingOutputs.Count > 0)
            _events.Report(Diagnostic.Error(Codes.OutputsNotCreated,
                $"Step '{step.Label}' did not create its output(s): {string.Join(", ", missingOutputs)}.", loc));
        foreach (var kv in c.Inputs.Where(kv => changedInputs.Contains(kv.Key.Path)))
        {
            // The input is what it is now; its producer or the user must deal with it.
            if (kv.Key.State == FileState.Built) kv.Key.State = FileState.Outdated;
            kv.Key.Dirty = true;
        }
        _done.Add(step);
        if (!_options.KeepGoing) _draining = true;
    }

    void Pages(RunResult result)
    {
        if (result.Stdout.Length > 0) _events.Page("Standard output", result.Stdout);
        if (result.Stderr.Length > 0) _events.Page("Standard error", result.Stderr);
    }

    /// <summary>Marks a step done and wakes the consumers that waited for its outputs.</summary>
    void Finish(StepNode step)
    {
        _done.Add(step);
        foreach (var output in step.Outputs)
            foreach (var consumer in output.Consumers)
            {
                if (!_needed.Contains(consumer) || _done.Contains(consumer) || !_waiting.TryGetValue(consumer, out var n)) continue;
                if (--n == 0) Enqueue(consumer);
                _waiting[consumer] = n;
            }
    }

    /// <summary>Needed steps that never ran: report those that wait for an input nothing makes.</summary>
    void ReportNotRun()
    {
        foreach (var step in _needed.OrderBy(s => s.Id))
        {
            if (_done.Contains(step)) continue;
            Summary.NotRun++;
            if (_draining) continue;
            var missing = step.Inputs.Where(i => !IsAvailable(i, step) && (i.Producer == null || i.Producer.IsOrphan)).Select(i => i.Path).ToList();
            if (missing.Count > 0)
                _events.Report(Diagnostic.Error(Codes.MissingInput,
                    $"Step '{step.Label}' cannot run: input(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))} are neither static nor made by a step.",
                    step.Definition.Location));
            else if (_resourceWait.Contains(step))
                _events.Report(Diagnostic.Error(Codes.MissingInput,
                    $"Step '{step.Label}' cannot run: it needs more of resource(s) {string.Join(", ", step.Definition.Resources.Select(r => r.Key + ":" + r.Value))} than StepUpResources provides.",
                    step.Definition.Location));
        }
    }
}
