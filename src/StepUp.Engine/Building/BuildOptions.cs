namespace StepUp.Engine.Building;

/// <summary>The StepUp* properties of one build.</summary>
public sealed class BuildOptions
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    /// <summary>
    /// The build's steps also take the director's shared job slots (<see cref="Scheduling.JobPool"/>),
    /// except planning steps. False: only <see cref="Jobs"/> bounds them (StepUp's command line).
    /// </summary>
    public bool ShareJobs { get; init; } = true;
    public bool KeepGoing { get; init; }
    public bool Clean { get; init; } = true;
    /// <summary>Root-relative outputs to build; empty builds everything.</summary>
    public IReadOnlyList<string> Targets { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, int> Resources { get; init; } = new Dictionary<string, int>();
    public bool ExplainRerun { get; init; }
    /// <summary>StepUpList: plan, and report each planned step and realization with its state, without running.</summary>
    public bool List { get; init; }
    /// <summary>StepUpAttic: earlier outputs move to .stepup/attic/ instead of being deleted or overwritten.</summary>
    public bool Attic { get; init; }
    /// <summary>StepUpInvalidate: realization globs whose steps and everything downstream rerun at the next build; nothing runs now.</summary>
    public IReadOnlyList<string> Invalidate { get; init; } = Array.Empty<string>();
    /// <summary>How often a long build says how far it is (<see cref="Events.ProgressReporter"/>).</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(Contract.DefaultProgressSeconds);
    /// <summary>After how long, and how often then, a running step is reported as still running.</summary>
    public TimeSpan HeartbeatAfter { get; init; } = TimeSpan.FromSeconds(Contract.DefaultHeartbeatSeconds);
    /// <summary>StepUpExecutor: where steps run unless their Executor metadata says otherwise.</summary>
    public string Executor { get; init; } = Contract.LocalExecutor;
    /// <summary>StepUpSlurmOptions, split into words: sbatch options before each Slurm step's own.</summary>
    public IReadOnlyList<string> SlurmOptions { get; init; } = Array.Empty<string>();
    /// <summary>StepUpSlurmMaxJobs: at most this many of the build's jobs in Slurm's queue.</summary>
    public int SlurmMaxJobs { get; init; } = Contract.DefaultSlurmMaxJobs;
    /// <summary>StepUpDryRun: run only the out-of-date planning steps; report what else would run.</summary>
    public bool DryRun { get; init; }
    /// <summary>`stepup build --defer-cap`: how often a step may be deferred for amended inputs, since it last succeeded, before it fails.</summary>
    public int DeferCap { get; init; } = Contract.DeferCap;
}
