namespace StepUp.Engine.Slurm;

/// <summary>
/// How a job ended. <see cref="ExitCode"/> is the step's exit code from the job's own files, null
/// when it left none (killed outright, or its files are not visible here). <see cref="Reason"/> is
/// Slurm's reason (squeue's %r, e.g. "TimeLimit"), empty when Slurm gave none. <see cref="Signal"/>
/// is "TERM" when Slurm asked the job to stop; <see cref="Started"/> whether the job ever started.
/// </summary>
public sealed record SlurmJobResult(SlurmJobState State, int? ExitCode, string Reason, string? Signal, bool Started)
{
    /// <summary>The step ran to its end and exited with 0.</summary>
    public bool Succeeded => State == SlurmJobState.Completed && ExitCode == 0;

    /// <summary>One sentence for an error message: what happened to the job, in Slurm's terms.</summary>
    public string Describe()
    {
        var slurm = Reason is "" or "None" ? "" : $" (Slurm's reason: {Reason})";
        var exit = ExitCode is { } code ? $"exit code {code}" : "no exit code";
        return State switch
        {
            SlurmJobState.Completed when ExitCode is null =>
                "the job ended, but its exit code file never appeared: is the job folder on a filesystem that the compute nodes share?",
            SlurmJobState.Completed or SlurmJobState.Failed =>
                $"the job ended with {exit}{(Signal is null ? "" : $" after Slurm sent it SIG{Signal}")}{slurm}",
            SlurmJobState.Timeout => $"Slurm stopped the job at its time limit (TIMEOUT, {exit}){slurm}",
            SlurmJobState.OutOfMemory => $"Slurm killed the job for using more memory than it asked (OUT_OF_MEMORY, {exit}){slurm}",
            SlurmJobState.Cancelled => $"the job was cancelled (CANCELLED, {exit}){slurm}",
            SlurmJobState.NodeFail => $"the job's node failed (NODE_FAIL, {exit}){slurm}",
            SlurmJobState.Preempted => $"the job was preempted (PREEMPTED, {exit}){slurm}",
            SlurmJobState.BootFail => $"the job's node failed to boot (BOOT_FAIL){slurm}",
            SlurmJobState.Deadline => $"the job missed its deadline (DEADLINE){slurm}",
            SlurmJobState.Gone when Signal is not null =>
                $"Slurm sent the job SIG{Signal} and it left no exit code; Slurm no longer lists it, so it cannot say why",
            SlurmJobState.Gone when !Started =>
                "Slurm no longer lists the job and it never started: it was cancelled while queued, or Slurm lost it",
            SlurmJobState.Gone =>
                "Slurm no longer lists the job and it left no exit code: it was killed, or its node failed",
            _ => $"the job is {State}{slurm}",
        };
    }
}
