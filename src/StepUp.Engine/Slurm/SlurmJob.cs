namespace StepUp.Engine.Slurm;

/// <summary>
/// A submitted job: Slurm's id ("1234", or "1234_5" for a task of an array) and its folder. Both
/// are all a director needs to keep to re-attach to the job after a restart.
/// </summary>
public sealed record SlurmJob(string Id, SlurmJobFolder Folder);
