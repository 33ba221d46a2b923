namespace StepUp.Engine.Scheduling;

/// <summary>A step the build needs, with everything the build knows about it besides the graph.</summary>
sealed class PlannedStep(StepNode step)
{
    public StepNode Step { get; } = step;
    public StepWant Want { get; set; } = StepWant.Inputs;

    /// <summary>The inputs it still waits for (with <see cref="StepWant.Inputs"/>); null when none.</summary>
    public HashSet<FileNode>? Missing { get; set; }

    /// <summary>Steps it defined that wait for it to run or be skipped; null when none.</summary>
    public List<PlannedStep>? Defined { get; set; }

    /// <summary>How often it was deferred in this build for amended inputs not built yet.</summary>
    public int Deferrals { get; set; }

    /// <summary>While it runs: its step-API token, and the amended inputs that were not built (it will be deferred).</summary>
    public string? Token { get; set; }

    /// <summary>While it runs: when it started (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public long StartedAt { get; set; }

    /// <summary>While it runs: it holds one of the director's shared job slots (<see cref="JobPool"/>).</summary>
    public bool HoldsSharedSlot { get; set; }

    /// <summary>While it runs: how many heartbeats it has had (<see cref="Events.ProgressReporter"/>).</summary>
    public int Heartbeats { get; set; }
    public List<string>? DeferredFor { get; set; }

    /// <summary>
    /// While it runs: those of <see cref="DeferredFor"/> that were built, but by a step that was
    /// still running when this one started, so what it read may not be what is there now.
    /// </summary>
    public List<string>? Unfresh { get; set; }

    /// <summary>When its run in this build succeeded (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>); 0 when it did not run.</summary>
    public long SucceededAt { get; set; }

    /// <summary>While it runs: its open api.hold calls; above zero, the steps it defined wait (see <see cref="BuildPlan.HoldingCreator"/>).</summary>
    public int Holds { get; set; }
}
