namespace StepUp.Engine.Slurm;

/// <summary>
/// A change seen by <see cref="SlurmJobTracker.PollAsync"/>: the job's new state and Slurm's reason,
/// and, once it has ended, its <see cref="Result"/> (after which the job is no longer tracked).
/// </summary>
public sealed record SlurmJobUpdate(SlurmJob Job, SlurmJobState State, string Reason, SlurmJobResult? Result);

/// <summary>
/// Follows a set of jobs with one squeue call per poll, however many they are. A job that ended is
/// reported with its result once its exit code file is there, or after <c>resultGrace</c> without
/// it (the shared filesystem may show the file later than Slurm shows the end; a job killed outright
/// never writes it). A job Slurm no longer lists (it ended more than MinJobAge ago, e.g. while no
/// director was watching) is judged by its files alone. So a director that restarts re-attaches to
/// its jobs by calling <see cref="Track"/> with the ids it kept. One caller polls at a time; tracking
/// and cancelling may come from other threads (Ctrl-C) meanwhile.
/// </summary>
public sealed class SlurmJobTracker(SlurmClient client, TimeSpan resultGrace, TimeProvider? time = null)
{
    sealed class Tracked(SlurmJob job)
    {
        public SlurmJob Job { get; } = job;
        public SlurmJobState? State { get; set; }
        public string Reason { get; set; } = "";
        public string SlurmReason { get; set; } = "";
        public long? EndedAt { get; set; }
        public bool CancelRequested { get; set; }
    }

    readonly Dictionary<string, Tracked> _jobs = new(StringComparer.Ordinal);
    readonly Lock _gate = new();
    readonly TimeProvider _time = time ?? TimeProvider.System;

    public int Count
    {
        get { lock (_gate) return _jobs.Count; }
    }

    /// <summary>Follows a job from now on: one just submitted, or one re-attached by its id after a restart.</summary>
    public void Track(SlurmJob job)
    {
        lock (_gate) _jobs[job.Id] = new Tracked(job);
    }

    public void Forget(string jobId)
    {
        lock (_gate) _jobs.Remove(jobId);
    }

    /// <summary>
    /// Cancels tracked jobs (one scancel per 500); their results come through later polls as usual,
    /// as cancelled even where Slurm drops a job at once (a pending array task).
    /// </summary>
    public async Task CancelAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct = default)
    {
        lock (_gate)
        {
            foreach (var id in jobIds)
                if (_jobs.TryGetValue(id, out var tracked)) tracked.CancelRequested = true;
        }
        await client.CancelAsync(jobIds, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks Slurm once for every job and returns what changed since the last poll: state changes,
    /// reason changes while queued, and results. A failing squeue throws and changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<SlurmJobUpdate>> PollAsync(CancellationToken ct = default)
    {
        if (Count == 0) return [];
        var queue = await client.QueueAsync(ct).ConfigureAwait(false);
        lock (_gate) return Apply(queue);
    }

    List<SlurmJobUpdate> Apply(IReadOnlyList<SlurmQueueEntry> queue)
    {
        var listed = new Dictionary<string, SlurmQueueEntry>(queue.Count, StringComparer.Ordinal);
        foreach (var entry in queue) listed[entry.JobId] = entry;
        var now = _time.GetTimestamp();
        var updates = new List<SlurmJobUpdate>();
        var finished = new List<string>();
        foreach (var tracked in _jobs.Values)
        {
            var state = SlurmJobState.Gone;
            var reason = "";
            if (listed.TryGetValue(tracked.Job.Id, out var entry))
            {
                state = entry.State;
                reason = entry.Reason;
            }
            if (!state.HasEnded())
            {
                if (tracked.State != state || tracked.Reason != reason)
                    updates.Add(new SlurmJobUpdate(tracked.Job, state, reason, null));
                tracked.State = state;
                tracked.Reason = reason;
                tracked.EndedAt = null;
                continue;
            }
            // Slurm's word on how the job ended is kept when it later stops listing the job.
            if (state != SlurmJobState.Gone || tracked.EndedAt is null)
            {
                tracked.State = state;
                tracked.SlurmReason = reason;
            }
            tracked.EndedAt ??= now;
            var files = tracked.Job.Folder.ReadFiles();
            if (files.ExitCode is null && _time.GetElapsedTime(tracked.EndedAt.Value, now) < resultGrace) continue;
            var result = Judge(tracked, files);
            updates.Add(new SlurmJobUpdate(tracked.Job, result.State, result.Reason, result));
            finished.Add(tracked.Job.Id);
        }
        foreach (var id in finished) _jobs.Remove(id);
        return updates;
    }

    static SlurmJobResult Judge(Tracked tracked, SlurmJobFiles files)
    {
        var state = tracked.State ?? SlurmJobState.Gone;
        if (state == SlurmJobState.Gone)
        {
            // Slurm forgot the job before this tracker saw it end: the files tell.
            if (files.ExitCode is { } code && files.Signal is null)
                state = code == 0 ? SlurmJobState.Completed : SlurmJobState.Failed;
            else if (tracked.CancelRequested)
                state = SlurmJobState.Cancelled;
            else if (files.ExitCode is not null)
                state = SlurmJobState.Failed;
        }
        return new SlurmJobResult(state, files.ExitCode, tracked.SlurmReason, files.Signal, files.Started);
    }
}
