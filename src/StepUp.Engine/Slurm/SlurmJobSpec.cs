namespace StepUp.Engine.Slurm;

/// <summary>
/// One command to run as a Slurm job: a shell command run by /bin/sh in <see cref="Workdir"/>, with
/// <see cref="Environment"/> set on top of the environment that sbatch passes on (the submitter's).
/// <see cref="Name"/> is the job name that squeue shows.
/// </summary>
public sealed record SlurmJobSpec(
    string Name,
    string Command,
    string Workdir,
    IReadOnlyDictionary<string, string> Environment,
    SlurmResources Resources);
