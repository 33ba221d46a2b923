using StepUp.Engine.Building;

namespace StepUp.Engine.Running;

/// <summary>
/// Where step commands run: local shells (<see cref="ShellRunner"/>), a fake in the engine's
/// tests, a batch scheduler such as Slurm later. One per director; it opens a runner per build.
/// </summary>
public interface IStepRunnerFactory
{
    /// <summary>
    /// A runner for one build of a project. Before it returns, it stops whatever a director that
    /// died left running for the same project, so that no step ever runs twice at once.
    /// </summary>
    IStepRunner Open(RunnerSite site);
}

/// <summary>Runs the steps of one build; disposing it ends its job slots.</summary>
public interface IStepRunner : IDisposable
{
    /// <summary>
    /// Starts a step and returns at once. The observer hears, from any thread, how the step goes,
    /// and <see cref="IStepObserver.Finished"/> exactly once, also when the step cannot start.
    /// </summary>
    void Start(StepLaunch launch, IStepObserver observer);
}

/// <param name="StateFolder">The project's .stepup/: where a runner records what it has running.</param>
/// <param name="Environment">What every step of the build sees (<see cref="StepEnvironment.ForBuild"/>).</param>
/// <param name="Events">For what the runner has to say about the build, such as leftovers it stopped.</param>
public sealed record RunnerSite(string StateFolder, IReadOnlyDictionary<string, string> Environment, IBuildEvents Events);

/// <summary>One run of one step.</summary>
/// <param name="Key">The step's key, for runners that name their jobs.</param>
/// <param name="Label">The step's name, as its user wrote it: what the shell calls the command in its messages.</param>
/// <param name="Command">A /bin/sh command line.</param>
/// <param name="Workdir">Absolute.</param>
/// <param name="Environment">The step's own variables (<see cref="StepEnvironment.ForStep"/>), on top of the build's.</param>
/// <param name="Cancellation">Cancelled: stop the step and everything it started.</param>
public sealed record StepLaunch(string Key, string Label, string Command, string Workdir, IReadOnlyDictionary<string, string> Environment, CancellationToken Cancellation)
{
    /// <summary>Set when the step runs as a Slurm job (<see cref="SlurmPlacement"/>); null runs it on this machine.</summary>
    public SlurmLaunch? Slurm { get; init; }
}

/// <summary>Where a step is, for runners whose steps wait before they run (a batch queue).</summary>
public enum StepStatus { Queued, Running }

/// <summary>What the build hears from a runner about one step.</summary>
public interface IStepObserver
{
    /// <summary>
    /// The step waits in a queue, or left it and runs; <paramref name="detail"/> says where (a job id,
    /// the queue's reason). Runners that start steps at once never call this.
    /// </summary>
    void Status(StepStatus status, string? detail = null);

    /// <summary>The batch job that now runs the step (null: none any more), to be kept in the graph for re-attaching.</summary>
    void JobSubmitted(string? jobId) { }

    void Finished(RunResult result);
}

/// <summary>How a step ended: its exit code and captured output, or why it did not run.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr, bool Cancelled, string? StartError)
{
    /// <summary>The code for <see cref="StartError"/> when it is not a plain start failure (e.g. Slurm ended the job).</summary>
    public string? ErrorCode { get; init; }
}
