using System.Diagnostics.CodeAnalysis;

namespace StepUp.Engine.Scheduling;

/// <summary>
/// The plan of one build (ninja's Plan): one <see cref="PlannedStep"/> per wanted step, whose
/// <see cref="StepWant"/> says what the build waits for, and the queue of ready steps, planning steps
/// first, then in creation order. A step is ready once its inputs are available; a step defined by
/// another is trusted only once that one has run or been skipped. Among ready steps, those with the
/// longest remaining chain of expected durations go first (StepUp 4's tail time). Lives on the build
/// loop: no locks.
/// </summary>
sealed class BuildPlan
{
    readonly Dictionary<StepNode, PlannedStep> _steps = new(ReferenceEqualityComparer.Instance);
    readonly PriorityQueue<PlannedStep, (int, double, long)> _ready = new();
    readonly Dictionary<StepNode, double> _tails = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> _targets;
    readonly Stack<StepNode> _toVisit = new();
    readonly Stack<(StepNode Step, bool Expanded)> _tailStack = new();
    readonly HashSet<StepNode> _assumed = new(ReferenceEqualityComparer.Instance);

    public BuildPlan(IEnumerable<string> targets)
    {
        _targets = new HashSet<string>(targets, StringComparer.Ordinal);
    }

    /// <summary>Root-relative outputs to build (ending in <c>/</c>: a folder); empty: every step that is not optional.</summary>
    public IReadOnlySet<string> Targets => _targets;

    /// <summary>
    /// Whether a step is needed for the targets: it makes an exact target, or, when it is not
    /// optional, an output under a folder target (StepUp 4's directory targets).
    /// </summary>
    public bool MakesTarget(StepNode step) =>
        _targets.Count > 0 && (MakesNamedTarget(step) || !step.Definition.Optional && step.Outputs.Any(o => UnderAFolderTarget(o.Path)));

    /// <summary>Whether a target names one of the step's outputs exactly.</summary>
    bool MakesNamedTarget(StepNode step) => step.Outputs.Any(o => _targets.Contains(o.Path));

    bool UnderAFolderTarget(string path) =>
        _targets.Any(target => target.EndsWith('/') && path.StartsWith(target, StringComparison.Ordinal));

    public int Running { get; private set; }
    public bool HasReady => _ready.Count > 0;

    public PlannedStep? Find(StepNode step) => _steps.GetValueOrDefault(step);

    public bool IsRunning(StepNode step) => Find(step)?.Want == StepWant.Running;

    /// <summary>Wants the producers of the targets, or every step that is not optional, with all they need.</summary>
    public void WantInitial(ProjectGraph graph)
    {
        foreach (var step in graph.Steps.Values)
        {
            if (step.IsOrphan) continue;
            // A realization its plans leave out is built when a target names one of its outputs.
            var wanted = step.Definition.LeftOut ? MakesNamedTarget(step) : IsWantedFirst(step);
            if (wanted) AddWanted(step, null);
        }
        foreach (var planned in _steps.Values.OrderBy(p => p.Step.Id).ToList()) Consider(planned);
    }

    /// <summary>
    /// When nothing is left to run: steps that were dropped as orphans and are attached again (a
    /// plan that reran detached them, and one that was skipped attached them again without defining
    /// them), and producers that waiting steps need but that are not part of the build (an optional
    /// step defined again before the plan that reads its output was attached again). Considers and
    /// wants them again; returns how many.
    /// </summary>
    public int WantStranded()
    {
        List<PlannedStep>? dropped = null;
        List<StepNode>? unplanned = null;
        foreach (var planned in _steps.Values)
        {
            if (planned.Want != StepWant.Inputs || planned.Step.IsOrphan) continue;
            if (planned.Missing == null)
            {
                (dropped ??= new List<PlannedStep>()).Add(planned);
                continue;
            }
            foreach (var input in planned.Missing)
                if (input.Producer is { IsOrphan: false } producer && !_steps.ContainsKey(producer)) (unplanned ??= new List<StepNode>()).Add(producer);
        }
        foreach (var planned in dropped ?? []) Consider(planned);
        foreach (var producer in unplanned ?? []) Want(producer);
        return (dropped?.Count ?? 0) + (unplanned?.Count ?? 0);
    }

    /// <summary>Makes a step defined or needed while the build runs part of it, with what it needs.</summary>
    public void Want(StepNode step)
    {
        var added = new List<PlannedStep>();
        AddWanted(step, added);
        foreach (var planned in added) Consider(planned);
        if (added.Count == 0 && Find(step) is { Want: StepWant.Inputs or StepWant.Creator or StepWant.Resources } known) Consider(known);
    }

    /// <summary>A step defined while the build runs is part of it when it is mandatory or a wanted step reads its outputs.</summary>
    public bool IsWantedNow(StepNode step)
    {
        if (IsWantedFirst(step)) return true;
        return step.Outputs.Any(o => o.Consumers.Any(c => _steps.ContainsKey(c) && !c.IsOrphan));
    }

    /// <summary>
    /// Wanted for itself: without targets every step that is not optional; with targets those that
    /// make one, and every planning step, since what it defines may make a target.
    /// </summary>
    bool IsWantedFirst(StepNode step)
    {
        if (_targets.Count == 0) return !step.Definition.Optional;
        return step.Definition.Planning && !step.Definition.Optional || MakesTarget(step);
    }

    /// <summary>Marks a step wanted, with the producers of its inputs and its creators.</summary>
    void AddWanted(StepNode start, List<PlannedStep>? added)
    {
        _toVisit.Push(start);
        while (_toVisit.TryPop(out var step))
        {
            if (step.IsOrphan || _steps.ContainsKey(step)) continue;
            var planned = new PlannedStep(step);
            _steps.Add(step, planned);
            added?.Add(planned);
            foreach (var input in step.Inputs)
                if (input.Producer is { IsOrphan: false } producer && !_steps.ContainsKey(producer)) _toVisit.Push(producer);
            // A step is only trusted once the step that defined it has run or been skipped.
            if (step.Creator is StepNode creator && !_steps.ContainsKey(creator)) _toVisit.Push(creator);
        }
    }

    /// <summary>Collects the inputs a step still waits for; queues it when there are none.</summary>
    void Consider(PlannedStep planned)
    {
        var step = planned.Step;
        HashSet<FileNode>? missing = null;
        var inputs = step.Inputs;
        for (var i = 0; i < inputs.Count; i++)
            if (!IsAvailable(inputs[i], step) && Blocks(inputs[i], planned, amended: i >= step.Definition.Inputs.Count))
                (missing ??= new HashSet<FileNode>(ReferenceEqualityComparer.Instance)).Add(inputs[i]);
        planned.Missing = missing;
        if (missing == null) Enqueue(planned);
        else Move(planned, StepWant.Inputs);
    }

    /// <summary>
    /// Whether an unavailable input holds a step back. An input the step amended last time does not,
    /// unless a step of this build makes it or the step was deferred for it in this build: running
    /// again, the step starts from its definition and amends what it needs now.
    /// </summary>
    /// <param name="amended">The step's links list its definition's inputs first, then what it amended.</param>
    static bool Blocks(FileNode input, PlannedStep planned, bool amended)
    {
        if (!amended || planned.Deferrals > 0) return true;
        return input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, planned.Step);
    }

    /// <summary>A static file, or an output built in this build by a step that succeeded.</summary>
    public bool IsAvailable(FileNode input, StepNode consumer)
    {
        if (input.Producer is { } producer && !producer.IsOrphan && !ReferenceEquals(producer, consumer))
            return _assumed.Contains(producer) || Find(producer)?.Want == StepWant.Done && producer.State == StepState.Succeeded && input.State == FileState.Built;
        return input.State == FileState.Static && !input.IsOrphan;
    }

    /// <summary>
    /// Whether the producer of an input ran in this build and was still running when the consumer
    /// started: then the consumer may have read the input half-written (StepUp's unfresh input).
    /// </summary>
    public bool RanDuring(FileNode input, PlannedStep consumer) =>
        input.Producer is { IsOrphan: false } producer && !ReferenceEquals(producer, consumer.Step) &&
        Find(producer) is { SucceededAt: > 0 } made && made.SucceededAt >= consumer.StartedAt;

    void Enqueue(PlannedStep planned)
    {
        if (planned.Want is StepWant.Ready or StepWant.Running or StepWant.Done) return;
        planned.Want = StepWant.Ready;
        _ready.Enqueue(planned, (planned.Step.Definition.Planning ? 0 : 1, -TailTime(planned.Step), planned.Step.Id));
    }

    /// <summary>
    /// The step's expected duration plus the longest tail of the steps that read its outputs,
    /// computed once per step and build (steps defined later do not change what was computed).
    /// </summary>
    double TailTime(StepNode step)
    {
        if (_tails.TryGetValue(step, out var known)) return known;
        // Iterative post-order: a long chain of steps must not overflow the stack. One stack for the
        // whole build, and plain loops: a no-op build queues every step once, so nothing is allocated per step.
        var stack = _tailStack;
        stack.Push((step, false));
        _tails[step] = step.Definition.Duration; // a cycle (never planned) ends here
        while (stack.TryPop(out var top))
        {
            if (top.Expanded)
            {
                _tails[top.Step] = top.Step.Definition.Duration + LongestConsumerTail(top.Step.Outputs);
                continue;
            }
            stack.Push((top.Step, true));
            PushUnvisitedConsumers(top.Step.Outputs, stack);
        }
        return _tails[step];
    }

    /// <summary>The steps that read these outputs and have no tail yet, each given its own duration until expanded.</summary>
    void PushUnvisitedConsumers(IReadOnlyList<FileNode> outputs, Stack<(StepNode Step, bool Expanded)> stack)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            var consumers = outputs[i].Consumers;
            for (var j = 0; j < consumers.Count; j++)
                if (!consumers[j].IsOrphan && _tails.TryAdd(consumers[j], consumers[j].Definition.Duration)) stack.Push((consumers[j], false));
        }
    }

    /// <summary>The longest known tail among the steps that read these outputs; each has one once they are expanded.</summary>
    double LongestConsumerTail(IReadOnlyList<FileNode> outputs)
    {
        var longest = 0.0;
        for (var i = 0; i < outputs.Count; i++)
        {
            var consumers = outputs[i].Consumers;
            for (var j = 0; j < consumers.Count; j++)
                if (!consumers[j].IsOrphan) longest = Math.Max(longest, _tails[consumers[j]]);
        }
        return longest;
    }

    /// <summary>
    /// The running creator (or creator's creator) that holds back the steps it defines (api.hold);
    /// null when none does.
    /// </summary>
    public PlannedStep? HoldingCreator(StepNode step)
    {
        for (var node = step.Creator; node is StepNode creator; node = creator.Creator)
            if (Find(creator) is { Want: StepWant.Running, Holds: > 0 } holding) return holding;
        return null;
    }

    /// <summary>api.hold and api.release of a running step: at zero, the steps it held become ready together.</summary>
    public void ChangeHolds(PlannedStep planned, int delta)
    {
        planned.Holds = Math.Max(0, planned.Holds + delta);
        if (planned.Holds == 0) ReleaseDefined(planned);
    }

    /// <summary>The ready step to look at next; it leaves the queue by the transition the caller picks.</summary>
    public bool TryPeekReady([NotNullWhen(true)] out PlannedStep? planned) => _ready.TryPeek(out planned, out _);

    /// <summary>Every change of a step's want goes through here, so that the queue and the running count stay exact.</summary>
    void Move(PlannedStep planned, StepWant want)
    {
        if (planned.Want == StepWant.Ready && !ReferenceEquals(_ready.Dequeue(), planned))
            throw new InvalidOperationException("Only the head of the ready queue can leave it.");
        if (planned.Want == StepWant.Running) Running--;
        if (want == StepWant.Running) Running++;
        planned.Want = want;
    }

    /// <summary>A queued step that became an orphan: it is checked again if it is defined again.</summary>
    public void Drop(PlannedStep planned) => Move(planned, StepWant.Inputs);

    /// <summary>The first creator of a step that has neither run nor been skipped in this build.</summary>
    public StepNode? UnsettledCreator(StepNode step)
    {
        for (var node = step.Creator; node is StepNode creator; node = creator.Creator)
        {
            var want = Find(creator)?.Want;
            if (want == StepWant.Running) continue;
            if (want == StepWant.Done && creator.State == StepState.Succeeded) continue;
            return creator;
        }
        return null;
    }

    public void HoldForCreator(PlannedStep planned, StepNode creator)
    {
        Move(planned, StepWant.Creator);
        (_steps[creator].Defined ??= new List<PlannedStep>()).Add(planned);
    }

    public void HoldForResources(PlannedStep planned) => Move(planned, StepWant.Resources);

    /// <summary>Steps the resource pool let go: back to the queue, unless they moved on meanwhile.</summary>
    public void Retry(IEnumerable<PlannedStep> released)
    {
        foreach (var planned in released)
            if (planned.Want == StepWant.Resources) Enqueue(planned);
    }

    public void Start(PlannedStep planned, string token)
    {
        Move(planned, StepWant.Running);
        planned.Token = token;
        planned.DeferredFor = null;
        planned.Unfresh = null;
        planned.Holds = 0;
    }

    /// <summary>A step that starts running lets the steps it defined go: a running creator counts as settled.</summary>
    public void ReleaseDefined(PlannedStep creator)
    {
        var defined = creator.Defined;
        creator.Defined = null;
        if (defined == null) return;
        foreach (var planned in defined)
            if (planned.Want == StepWant.Creator) Enqueue(planned);
    }

    /// <summary>Skipped or succeeded: wakes the consumers of its outputs and the steps it defined.</summary>
    public void Settle(PlannedStep planned)
    {
        Move(planned, StepWant.Done);
        planned.Token = null;
        var outputs = planned.Step.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var consumers = outputs[i].Consumers;
            for (var j = 0; j < consumers.Count; j++) InputAvailable(consumers[j], outputs[i]);
        }
        ReleaseDefined(planned);
    }

    /// <summary>Dry run: a step that would run counts as done and its outputs as available, without running.</summary>
    public void Assume(PlannedStep planned)
    {
        _assumed.Add(planned.Step);
        Settle(planned);
    }

    /// <summary>Dry run: an input that a step which would run would make again.</summary>
    public FileNode? AssumedInput(StepNode step)
    {
        if (_assumed.Count == 0) return null;
        foreach (var input in step.Inputs)
            if (input.Producer is { } producer && _assumed.Contains(producer) && !ReferenceEquals(producer, step)) return input;
        return null;
    }

    /// <summary>Failed: done for this build; what waits for it waits in vain.</summary>
    public void Fail(PlannedStep planned)
    {
        Move(planned, StepWant.Done);
        planned.Token = null;
    }

    /// <summary>A deferred step runs again, from scratch, once the inputs it amended are available.</summary>
    public void Reconsider(PlannedStep planned)
    {
        Move(planned, StepWant.Inputs);
        planned.Token = null;
        Consider(planned);
    }

    /// <summary>An input of a waiting step became available.</summary>
    public void InputAvailable(StepNode consumer, FileNode input)
    {
        if (Find(consumer) is not { Want: StepWant.Inputs, Missing: { } missing } planned) return;
        if (!missing.Remove(input) || missing.Count > 0) return;
        planned.Missing = null;
        Enqueue(planned);
    }

    /// <summary>Wanted steps that did not settle (orphans aside), in creation order.</summary>
    public List<PlannedStep> Unsettled() =>
        _steps.Values.Where(p => p.Want != StepWant.Done && !p.Step.IsOrphan).OrderBy(p => p.Step.Id).ToList();

    /// <summary>
    /// Steps settled of those wanted, and the running ones, longest-running first: for the progress
    /// line every few seconds, so a scan of the plan, never on the loop's hot path.
    /// </summary>
    public (int Done, int Wanted, List<PlannedStep> Running) Progress()
    {
        var done = 0;
        var running = new List<PlannedStep>();
        foreach (var planned in _steps.Values)
        {
            if (planned.Want == StepWant.Done) done++;
            else if (planned.Want == StepWant.Running) running.Add(planned);
        }
        running.Sort((a, b) => a.StartedAt.CompareTo(b.StartedAt));
        return (done, _steps.Count, running);
    }
}
