namespace StepUp.Engine.Slurm;

/// <summary>Where a job is, as StepUp needs to know it; Slurm's finer states map onto these.</summary>
public enum SlurmJobState
{
    /// <summary>Waiting in the queue (also held, or requeued); the reason says why.</summary>
    Pending,
    /// <summary>Started and not yet ended (also configuring, completing, suspended).</summary>
    Running,
    Completed,
    Failed,
    /// <summary>Slurm stopped the job at its time limit.</summary>
    Timeout,
    Cancelled,
    OutOfMemory,
    NodeFail,
    Preempted,
    BootFail,
    Deadline,
    /// <summary>Slurm no longer lists the job (it ended longer ago than MinJobAge, or the controller lost it).</summary>
    Gone,
}

public static class SlurmJobStates
{
    /// <summary>The state for a name squeue prints (%T); a name it does not know counts as running.</summary>
    public static SlurmJobState Parse(string name) => name.Trim().ToUpperInvariant() switch
    {
        "PENDING" or "REQUEUED" or "REQUEUE_FED" or "REQUEUE_HOLD" or "RESV_DEL_HOLD" => SlurmJobState.Pending,
        "COMPLETED" => SlurmJobState.Completed,
        "FAILED" or "SPECIAL_EXIT" => SlurmJobState.Failed,
        "TIMEOUT" => SlurmJobState.Timeout,
        "CANCELLED" or "REVOKED" => SlurmJobState.Cancelled,
        "OUT_OF_MEMORY" => SlurmJobState.OutOfMemory,
        "NODE_FAIL" => SlurmJobState.NodeFail,
        "PREEMPTED" => SlurmJobState.Preempted,
        "BOOT_FAIL" => SlurmJobState.BootFail,
        "DEADLINE" => SlurmJobState.Deadline,
        _ => SlurmJobState.Running,
    };

    /// <summary>Whether the job has ended (whatever way).</summary>
    public static bool HasEnded(this SlurmJobState state) => state is not (SlurmJobState.Pending or SlurmJobState.Running);
}
