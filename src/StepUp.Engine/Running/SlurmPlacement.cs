using System.Text.RegularExpressions;
using StepUp.Engine.Building;
using StepUp.Engine.Slurm;

namespace StepUp.Engine.Running;

/// <summary>What a runner needs to run a step as a Slurm job, besides the step's command.</summary>
/// <param name="Label">The step's name: the job's name in squeue.</param>
/// <param name="Resources">The sbatch options: StepUpSlurmOptions, then the step's resources, then its SlurmOptions.</param>
/// <param name="Outputs">The step's declared outputs (absolute): the director waits a moment for them after the job, for shared-filesystem lag.</param>
/// <param name="PreviousJob">The job the graph says ran the step when the last director stopped: re-attached to, not submitted again.</param>
/// <param name="MaxJobs">StepUpSlurmMaxJobs: at most this many of the build's jobs in Slurm's queue.</param>
public sealed record SlurmLaunch(string Label, SlurmResources Resources, IReadOnlyList<string> Outputs, string? PreviousJob, int MaxJobs);

/// <summary>
/// Decides where a step runs: as a Slurm job when its Executor (or StepUpExecutor) says slurm, except
/// planning steps and steps whose command calls the <c>stepup</c> client: those need the director's
/// socket, which compute nodes cannot reach, so they always run locally.
/// </summary>
public static class SlurmPlacement
{
    static readonly Regex CallsClient = new(@"(^|[\s;&|(`])stepup(\s|$)", RegexOptions.CultureInvariant);

    /// <summary>The step's Slurm job, or null when it runs on this machine.</summary>
    public static SlurmLaunch? For(StepNode step, string root, BuildOptions options)
    {
        var definition = step.Definition;
        if (definition.Planning || CallsClient.IsMatch(definition.Command)) return null;
        var executor = ExecutionMetadata.ExecutorOf(definition.Execution) ?? options.Executor;
        if (executor != Contract.SlurmExecutor) return null;
        return new SlurmLaunch(
            definition.Label,
            ExecutionMetadata.Resources(definition.Execution, options.SlurmOptions),
            step.Outputs.Select(o => PathRules.FullPath(root, o.Path)).ToList(),
            step.SlurmJob,
            options.SlurmMaxJobs);
    }
}
