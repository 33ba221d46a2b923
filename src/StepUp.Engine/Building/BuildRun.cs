using System.Threading.Channels;
using StepUp.Engine.Events;
using StepUp.Engine.Running;
using StepUp.Engine.Scheduling;
using StepUp.Engine.StepApi;
using StepUp.Engine.Storage;

namespace StepUp.Engine.Building;

/// <summary>
/// One build of one project (ninja's Builder): takes ready steps from the <see cref="BuildPlan"/>,
/// skips those the <see cref="UpToDateCheck"/> finds up to date, starts the others on the runner
/// within the build's jobs, the director's <see cref="JobPool"/> and the <see cref="ResourcePool"/>,
/// and records every result. All graph changes happen on this loop: step ends and step-API calls
/// reach it through one inbox.
/// </summary>
public sealed class BuildRun
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
    readonly BuildPlan _plan;
    readonly ResourcePool _resources;
    readonly StepReporter _reporter;
    readonly UpToDateCheck _check;
    readonly StepApiHandler _api;
    readonly ProgressReporter _progress;
    bool _draining;
    CancellationToken _ct;
    IStepRunner _runner = null!;
    DateTime _lastCheckpoint = DateTime.UtcNow;

    public BuildSummary Summary => _reporter.Summary;

    /// <summary>Runs, slots, times and reasons of this build, for the build report.</summary>
    public Reporting.BuildRecord Record => _reporter.Record;

    /// <summary>Nothing changed since a build that checked every step (see <see cref="UpToDateCheck.TrustHashes"/>).</summary>
    public bool TrustHashes { get => _check.TrustHashes; init => _check.TrustHashes = value; }

    /// <summary>Where notes about the build go (the project's .stepup/director.log), such as the commands steps recorded.</summary>
    public Action<string>? Log { get; init; }

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
        _writes = new OutputWrites(graph, root, options.Attic ? new Attic(root) : null);
        _plan = new BuildPlan(options.Targets);
        _resources = new ResourcePool(options.Resources);
        _reporter = new StepReporter(events, new StepLogs(root), options.ExplainRerun);
        _check = new UpToDateCheck(_plan, env, _reporter);
        _api = new StepApiHandler(graph, root, env, _plan, _writes, message => Log?.Invoke(message));
        _progress = new ProgressReporter(events, options.ProgressEvery, options.HeartbeatAfter);
    }

    sealed record Completion(PlannedStep Step, RunResult Result);
    sealed record StatusReport(PlannedStep Step, StepStatus Status, string? Detail);
    sealed record JobReport(PlannedStep Step, string? JobId);
    sealed record ApiCall(StepNode Step, StepCommand Command, TaskCompletionSource<StepReply> Reply);
    sealed record ProgressTick
    {
        public static readonly ProgressTick Instance = new();
    }

    /// <param name="drain">Once cancelled, no more steps start; those that run end on their own.</param>
    public async Task<BuildSummary> RunAsync(CancellationToken ct, CancellationToken drain = default)
    {
        _ct = ct;
        if (TargetProblems.Report(_graph, _plan.Targets, _env, _events))
        {
            Record.Finish();
            Summary.Success = false;
            return Summary;
        }
        using var membership = _options.ShareJobs ? _context.Pool.Join(_options.Jobs) : null;
        var environment = StepEnvironment.ForBuild(_env, _root, _context.SocketPath, _context.ToolsDirectory);
        using var runner = _runner = _context.Runner.Open(new RunnerSite(Path.Combine(_root, GraphStore.FolderName), environment, _events));
        using var ticker = new Timer(_ => _inbox.Writer.TryWrite(ProgressTick.Instance), null, _progress.Period, _progress.Period);
        try
        {
            _plan.WantInitial(_graph);
            while (true)
            {
                // Read here, on the loop, which owns _draining: a drain asked for while steps run
                // is seen after the next step ends, before anything else could start. It is the
                // build's outcome even when a failure drains it too.
                if (drain.IsCancellationRequested) _draining = Summary.Drained = true;
                Dispatch();
                if (_plan.Running == 0)
                {
                    if (_draining || ct.IsCancellationRequested) break;
                    if (!_plan.HasReady)
                    {
                        if (_plan.WantStranded() == 0) break;
                        continue;
                    }
                    // Ready work, but the shared pool is full with other projects' steps.
                    await Task.WhenAny(_context.Pool.SlotFreed(), Task.Delay(Timeout.Infinite, ct), Task.Delay(Timeout.Infinite, drain)).ConfigureAwait(false);
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
                if (late is ApiCall call) call.Reply.TrySetResult(new ErrorReply("the step is no longer running"));
        }

        if (ct.IsCancellationRequested) _reporter.BuildCancelled();
        if (!_draining && !ct.IsCancellationRequested) ReportTargetsNotProduced();
        ReportNotRun();
        Record.Finish();
        if (_options.DryRun) Summary.Text = $"StepUp (dry run): {_reporter.WouldRunCount} would run, {Summary.Skipped} up to date";
        // A drained build may have left steps unplanned that a plan would still define: not complete.
        Summary.Success = Summary.Failed == 0 && Summary.NotRun == 0 && !ct.IsCancellationRequested && !Summary.Drained;
        if (Summary.Success) GlobCheck.ReportUndeclared(_graph, _events);
        return Summary;
    }

    /// <summary>Targets that no step makes, once the plan is complete (after a drain it may not be).</summary>
    void ReportTargetsNotProduced()
    {
        var files = _plan.Targets.Where(t => !t.EndsWith('/') && _graph.FindFile(t)?.Producer is not { IsOrphan: false }).ToList();
        var folders = _plan.Targets.Where(t => t.EndsWith('/')
            && !_graph.Steps.Values.Any(s => !s.IsOrphan && s.Outputs.Any(o => o.Path.StartsWith(t, StringComparison.Ordinal)))).ToList();
        if (files.Count > 0) _reporter.TargetsNotProduced(files, folders: false);
        if (folders.Count > 0) _reporter.TargetsNotProduced(folders, folders: true);
    }

    void Handle(object item)
    {
        switch (item)
        {
            case Completion completion: Complete(completion.Step, completion.Result); break;
            case StatusReport report: _reporter.Status(report.Step.Step, report.Status, report.Detail); break;
            case JobReport job:
                job.Step.Step.SlurmJob = job.JobId;
                job.Step.Step.Dirty = true;
                break;
            case ApiCall call: Answer(call); break;
            case ProgressTick: _progress.Tick(_plan); break;
        }
    }

    /// <summary>A refused definition or amendment is also an error of the build, at the caller's item, not only a traceback.</summary>
    void Answer(ApiCall call)
    {
        var running = _plan.IsRunning(call.Step);
        var reply = _api.Answer(call.Step, call.Command);
        if (running && reply is ErrorReply refusal && call.Command is DefineStep or DefineScript or AmendStep)
        {
            _reporter.CallRefused(call.Step, call.Command is AmendStep, refusal.Message);
            // What the client shows shortened is kept here in full (StepUp 4 logs it the same way).
            Log?.Invoke($"Exception in RPC call {call.Command.GetType().Name} of step '{call.Step.Label}': " +
                (refusal.Kind.Length > 0 ? "stepup.core.exceptions." + refusal.Kind : "refused") + ": " + refusal.Message);
        }
        call.Reply.TrySetResult(reply);
    }

    void Dispatch()
    {
        if (_draining || _ct.IsCancellationRequested) return;
        while (_plan.TryPeekReady(out var next))
        {
            var step = next.Step;
            if (step.IsOrphan)
            {
                _plan.Drop(next);
                continue;
            }
            if (_plan.UnsettledCreator(step) is { } creator)
            {
                _plan.HoldForCreator(next, creator);
                continue;
            }
            var holder = _plan.HoldingCreator(step);
            if (_check.CanSkip(step, quiet: holder != null))
            {
                _reporter.Skipped(step);
                _plan.Settle(next);
                continue;
            }
            if (holder != null)
            {
                _plan.HoldForCreator(next, holder.Step);
                continue;
            }
            if (_options.DryRun && _reporter.WouldRun(step) && !step.Definition.Planning)
            {
                // Only planning steps run in a dry run: what they define is needed to see the plan.
                _plan.Assume(next);
                continue;
            }
            if (_plan.Running >= _options.Jobs) return;
            if (!_resources.TryTake(step.Definition))
            {
                _plan.HoldForResources(next);
                _resources.Wait(next);
                continue;
            }
            if (TakesSharedSlot(step))
            {
                if (!_context.Pool.TryAcquire())
                {
                    _resources.GiveBack(step.Definition);
                    return;
                }
                next.HoldsSharedSlot = true;
            }
            if (RunOutcome.FindChangedInputs(step, _root) is { } changed)
            {
                ReleaseSharedSlot(next);
                _resources.GiveBack(step.Definition);
                FailForChangedInputs(next, changed);
                return;
            }
            Start(next);
        }
    }

    /// <summary>
    /// A planning step counts against its own build's jobs only: it may wait for steps it defined,
    /// and other projects' steps in the shared slots must not keep those from running (two projects
    /// whose running plans each wait for their own step would otherwise stall each other for good).
    /// </summary>
    bool TakesSharedSlot(StepNode step) => _options.ShareJobs && !step.Definition.Planning;

    void ReleaseSharedSlot(PlannedStep planned)
    {
        if (!planned.HoldsSharedSlot) return;
        planned.HoldsSharedSlot = false;
        _context.Pool.Release();
    }

    void Start(PlannedStep planned)
    {
        var step = planned.Step;
        // A step that runs may change what later steps read: from now on every check hashes.
        _check.TrustHashes = false;
        var token = _context.Steps.Register(new CallTarget(this, step));
        _plan.Start(planned, token);
        planned.StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        planned.Heartbeats = 0;
        ResetForRerun(planned);
        step.State = StepState.Running;
        step.Dirty = true;
        _reporter.Started(step);
        var observer = new RunObserver(this, planned);
        var workdir = PathRules.FullPath(_root, step.Definition.Workdir);
        try
        {
            _writes.Prepare(step);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            observer.Finished(new RunResult(-1, "", "", false, e.Message));
            return;
        }
        if (LaunchCommand.ExecProblem(step.Definition, workdir) is { } problem)
        {
            observer.Finished(new RunResult(-1, "", "", false, problem));
            return;
        }
        var need = StepEnvironment.NeedOf(step.Definition, _plan.MakesTarget(step));
        _runner.Start(new StepLaunch(step.Definition.Key, step.Label, LaunchCommand.Of(step.Definition), workdir,
            StepEnvironment.ForStep(step.Definition, token, need), _ct)
        {
            Slurm = SlurmPlacement.For(step, _root, _options),
        }, observer);
    }

    /// <summary>
    /// A step that runs again starts from its definition: what it defined or amended last time is
    /// detached (an orphan until it defines the same again, which restores it with its state).
    /// </summary>
    void ResetForRerun(PlannedStep planned)
    {
        var step = planned.Step;
        foreach (var product in step.Products.ToList())
            if (product is StepNode || (product is FileNode f && !step.Outputs.Contains(f) && !step.Volatiles.Contains(f)))
                ProjectGraph.SetCreator(product, null);
        _graph.LinkStep(step);
        step.ClearAmendedEnv();
        step.ClearGlobs();
        _plan.ReleaseDefined(planned);
    }

    void Complete(PlannedStep planned, RunResult result)
    {
        var step = planned.Step;
        _context.Steps.Unregister(planned.Token!);
        ReleaseSharedSlot(planned);
        _resources.GiveBack(step.Definition);
        if (step.Definition.Resources.Count > 0) _plan.Retry(_resources.TakeWaiting());
        step.SlurmJob = null;
        var outcome = RunOutcome.Measure(step, _root, _env);
        var duration = System.Diagnostics.Stopwatch.GetElapsedTime(planned.StartedAt);
        step.LastDuration = duration;
        _writes.NoteWritten(step);

        if (planned.DeferredFor != null && outcome.ChangedInputs.Count == 0 && !result.Cancelled)
        {
            Defer(planned, result);
            return;
        }
        if (outcome.IsSuccess(result))
        {
            step.DeferralsSinceSuccess = 0;
            outcome.RecordSuccess();
            planned.SucceededAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _reporter.Succeeded(step, result, duration);
            _plan.Settle(planned);
            return;
        }
        outcome.RecordFailure();
        _reporter.Failed(step, result, outcome, duration);
        _plan.Fail(planned);
        if (outcome.ChangedInputs.Count > 0) DrainForChangedInputs();
        else if (!_options.KeepGoing) _draining = true;
    }

    /// <summary>
    /// A step whose input changed after it was checked (another step wrote it) does not run: what
    /// it would read is not what the build planned. The step fails and the build drains.
    /// </summary>
    void FailForChangedInputs(PlannedStep planned, List<FileNode> changed)
    {
        var step = planned.Step;
        step.State = StepState.Failed;
        step.Dirty = true;
        RunOutcome.MarkChanged(changed);
        _reporter.InputChangedBeforeStart(step, changed);
        _plan.Fail(planned);
        DrainForChangedInputs();
    }

    /// <summary>Files changed under the build: whatever runs next would build on them, so nothing new starts, even with KeepGoing.</summary>
    void DrainForChangedInputs()
    {
        if (!_draining) _reporter.DrainingForChangedInputs();
        _draining = true;
    }

    /// <summary>
    /// A step that asked for inputs not built yet runs again, from scratch, once they are; one that
    /// was deferred more often than the cap since it last succeeded (in any build) fails instead.
    /// </summary>
    void Defer(PlannedStep planned, RunResult result)
    {
        var step = planned.Step;
        planned.Deferrals++;
        if (++step.DeferralsSinceSuccess > _options.DeferCap)
        {
            step.DeferralsSinceSuccess = 0;
            step.State = StepState.Failed;
            _reporter.DeferredTooOften(step, _options.DeferCap, planned.DeferredFor!, result);
            _plan.Fail(planned);
            if (!_options.KeepGoing) _draining = true;
            return;
        }
        step.State = StepState.Pending;
        var unfresh = planned.Unfresh ?? [];
        var unavailable = planned.DeferredFor!.Except(unfresh).ToList();
        step.RerunReason = unavailable.Count > 0
            ? $"amended input(s) {string.Join(", ", unavailable.Select(p => "'" + p + "'"))} became available"
            : $"amended input(s) {string.Join(", ", unfresh.Select(p => "'" + p + "'"))} were still being built when it started";
        _reporter.Deferred(step, unavailable, unfresh);
        _plan.Reconsider(planned);
    }

    /// <summary>Wanted steps that never ran: say why, when it is not an earlier failure.</summary>
    void ReportNotRun()
    {
        var unsettled = _plan.Unsettled();
        Summary.NotRun = unsettled.Count;
        if (_draining || _ct.IsCancellationRequested) return;
        var waitingOnOthers = new List<StepNode>();
        foreach (var planned in unsettled)
        {
            var step = planned.Step;
            var missing = step.Inputs.Where(i => !_plan.IsAvailable(i, step) && (i.Producer == null || i.Producer.IsOrphan)).Select(i => i.Path).ToList();
            if (missing.Count > 0) _reporter.InputsMissing(step, missing);
            else if (planned.Want == StepWant.Resources) _reporter.ResourcesShort(step);
            else waitingOnOthers.Add(step);
        }
        if (waitingOnOthers.Count == 0) return;
        var set = new HashSet<StepNode>(waitingOnOthers, ReferenceEqualityComparer.Instance);
        if (GraphSearch.FindCycle(waitingOnOthers, s => GraphSearch.Producers(s).Where(set.Contains)) is { } cycle) _reporter.Cycle(cycle);
    }

    /// <summary>Hears from the runner about one run; everything goes through the inbox to the loop.</summary>
    sealed class RunObserver(BuildRun run, PlannedStep planned) : IStepObserver
    {
        public void Status(StepStatus status, string? detail) => run._inbox.Writer.TryWrite(new StatusReport(planned, status, detail));
        public void JobSubmitted(string? jobId) => run._inbox.Writer.TryWrite(new JobReport(planned, jobId));
        public void Finished(RunResult result) => run._inbox.Writer.TryWrite(new Completion(planned, result));
    }

    /// <summary>A running step's door to the loop: converts its request, posts it, and converts the reply.</summary>
    sealed class CallTarget(BuildRun run, StepNode step) : IStepCallTarget
    {
        public async Task<Protocol.Message> CallAsync(Protocol.StepCall request)
        {
            var (command, refusal) = WireFormat.ReadCommand(request);
            if (command == null) return WireFormat.WriteReply(refusal!);
            var call = new ApiCall(step, command, new TaskCompletionSource<StepReply>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!run._inbox.Writer.TryWrite(call)) return WireFormat.WriteReply(new ErrorReply("the step is no longer running"));
            return WireFormat.WriteReply(await call.Reply.Task.ConfigureAwait(false));
        }
    }
}
