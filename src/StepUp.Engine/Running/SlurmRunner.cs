using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using StepUp.Engine.Slurm;
using StepUp.Protocol;

namespace StepUp.Engine.Running;

/// <summary>
/// Runs the steps of one build as Slurm jobs (docs/slurm.md). One loop submits (one sbatch per step,
/// at most StepUpSlurmMaxJobs in the queue), cancels, and polls every job with one squeue call,
/// reporting QUEUED and RUNNING with the job id; a job's result is read from its folder under
/// <c>.stepup/slurm/</c> when Slurm says it ended. A step whose folder holds a job for the same
/// script and options that no build has taken the result of yet (the director died while it ran)
/// is re-attached to that job, never submitted twice.
/// </summary>
public sealed class SlurmRunner : IStepRunner
{
    /// <summary>How long the director waits for an ended job's exit code file and declared outputs (shared-filesystem lag).</summary>
    static readonly TimeSpan ResultGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long squeue may keep failing before the build gives up on its jobs.</summary>
    static readonly TimeSpan QueueOutage = TimeSpan.FromSeconds(60);

    static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(500), MaxPoll = TimeSpan.FromSeconds(10);

    /// <summary>Beside the job's files: the fingerprint of what it runs, and whether a build took its result.</summary>
    const string SpecFile = "spec", TakenFile = "taken";

    sealed class Submission(StepLaunch launch, IStepObserver observer)
    {
        public StepLaunch Launch { get; } = launch;
        public IStepObserver Observer { get; } = observer;
        public SlurmJob? Job { get; set; }
        public string LastStatus { get; set; } = "";
        public CancellationTokenRegistration Registration { get; set; }
        public int Finished;
    }

    readonly SlurmClient _client;
    readonly SlurmJobTracker _tracker;
    readonly string _folder;
    readonly Lock _gate = new();
    readonly Queue<Submission> _waiting = new();
    readonly List<Submission> _toCancel = new();
    readonly Dictionary<string, Submission> _jobs = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _wake = new(0);
    readonly Task _loop;

    public SlurmRunner(RunnerSite site)
    {
        _folder = Path.Combine(site.StateFolder, "slurm");
        // sbatch passes its own environment on to the job (--export=ALL): the build's.
        _client = new SlurmClient(new SlurmCli(TimeSpan.FromSeconds(60), environment: site.Environment));
        _tracker = new SlurmJobTracker(_client, ResultGrace);
        _loop = Task.Run(LoopAsync);
    }

    public void Start(StepLaunch launch, IStepObserver observer)
    {
        var submission = new Submission(launch, observer);
        lock (_gate) _waiting.Enqueue(submission);
        submission.Registration = launch.Cancellation.Register(() =>
        {
            lock (_gate) _toCancel.Add(submission);
            _wake.Release();
        });
        _wake.Release();
    }

    async Task LoopAsync()
    {
        var interval = MinPoll;
        var lastPoll = long.MinValue;
        long? failingSince = null;
        while (!_stop.IsCancellationRequested)
        {
            await SubmitWaitingAsync().ConfigureAwait(false);
            await CancelRequestedAsync().ConfigureAwait(false);
            if (_tracker.Count > 0 && (lastPoll == long.MinValue || Stopwatch.GetElapsedTime(lastPoll) >= interval))
            {
                var started = lastPoll = Stopwatch.GetTimestamp();
                try
                {
                    foreach (var update in await _tracker.PollAsync(_stop.Token).ConfigureAwait(false)) Apply(update);
                    failingSince = null;
                    // Polling stays under a tenth of the director's time, whatever the queue's size.
                    var took = Stopwatch.GetElapsedTime(started);
                    interval = TimeSpan.FromTicks(Math.Clamp(took.Ticks * 10, MinPoll.Ticks, MaxPoll.Ticks));
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is SlurmException or IOException or UnauthorizedAccessException)
                {
                    failingSince ??= started;
                    if (Stopwatch.GetElapsedTime(failingSince.Value) > QueueOutage)
                    {
                        await GiveUpAsync(e).ConfigureAwait(false);
                        failingSince = null;
                    }
                }
            }
            // Steps that wait while the queue has room are submitted at once, not after the poll
            // interval: the loop sleeps only when there is nothing to submit.
            var sleep = CanSubmit() ? TimeSpan.Zero
                : _tracker.Count > 0 && lastPoll != long.MinValue ? interval - Stopwatch.GetElapsedTime(lastPoll) : interval;
            try
            {
                if (sleep > TimeSpan.Zero) await _wake.WaitAsync(sleep, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Wake-ups that came together are handled by one pass.
            while (_wake.CurrentCount > 0) _wake.Wait(0);
        }
    }

    bool CanSubmit()
    {
        lock (_gate) return RoomForNext();
    }

    /// <summary>Whether a step waits and the queue has room for it (the caller holds the gate).</summary>
    bool RoomForNext() => _waiting.Count > 0 && _waiting.Peek().Launch.Slurm!.MaxJobs > _jobs.Count;

    /// <summary>Submits waiting steps while the queue has room, for at most about a second before the next poll.</summary>
    async Task SubmitWaitingAsync()
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
        {
            Submission? next;
            lock (_gate)
            {
                if (!RoomForNext()) return;
                next = _waiting.Dequeue();
            }
            if (next.Launch.Cancellation.IsCancellationRequested)
            {
                Finish(next, new RunResult(-1, "", "", true, null));
                continue;
            }
            try
            {
                await SubmitAsync(next).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Finish(next, Refusal(Codes.SlurmUnavailable, $"could not be submitted to Slurm: {e.Message}"));
            }
        }
    }

    async Task SubmitAsync(Submission submission)
    {
        var launch = submission.Launch;
        var slurm = launch.Slurm!;
        var folder = new SlurmJobFolder(Path.Combine(_folder, FolderName(launch.Key)));
        var spec = new SlurmJobSpec(slurm.Label, launch.Command, launch.Workdir, JobEnvironment(launch.Environment), slurm.Resources);
        string fingerprint;
        try
        {
            fingerprint = Fingerprint(spec);
        }
        catch (ArgumentException e)
        {
            Finish(submission, Refusal(Codes.BadSlurmMetadata, $"has bad Slurm metadata: {e.Message}."));
            return;
        }
        if (Reattachable(folder, fingerprint, slurm.PreviousJob) is { } id)
        {
            Track(submission, new SlurmJob(id, folder));
            Report(submission, StepStatus.Queued, "", $"job {id}, re-attached");
            return;
        }
        try
        {
            // A job of an older version of the step may still run: it must not write the outputs now.
            if (folder.ReadJobId() is { } stale && !File.Exists(Path.Combine(folder.Path, TakenFile)))
                await _client.CancelAsync([stale], _stop.Token).ConfigureAwait(false);
            Directory.CreateDirectory(folder.Path);
            File.Delete(Path.Combine(folder.Path, TakenFile));
            File.WriteAllText(Path.Combine(folder.Path, SpecFile), fingerprint + "\n");
            var job = await _client.SubmitAsync(spec, folder, _stop.Token).ConfigureAwait(false);
            Track(submission, job);
            submission.Observer.JobSubmitted(job.Id);
            Report(submission, StepStatus.Queued, "", $"job {job.Id}");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            Finish(submission, new RunResult(-1, "", "", true, null));
        }
        catch (SlurmCommandFailedException e)
        {
            Finish(submission, Refusal(Codes.SlurmRefused, $"could not be submitted to Slurm: {e.Message}"));
        }
        catch (SlurmException e)
        {
            Finish(submission, Refusal(Codes.SlurmUnavailable, $"could not be submitted to Slurm: {e.Message}"));
        }
        catch (ArgumentException e)
        {
            Finish(submission, Refusal(Codes.BadSlurmMetadata, $"has bad Slurm metadata: {e.Message}."));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Finish(submission, Refusal(Codes.SlurmUnavailable, $"could not be submitted to Slurm: its job folder {folder.Path} could not be written ({e.Message})"));
        }
    }

    /// <summary>
    /// The job to re-attach to: the one in the folder, when it runs exactly this script with these
    /// options and its result was not taken yet (or the graph names it: then the last build never
    /// recorded what it took).
    /// </summary>
    static string? Reattachable(SlurmJobFolder folder, string fingerprint, string? previousJob)
    {
        if (folder.ReadJobId() is not { } id) return null;
        var recorded = SlurmJobFolder.ReadText(Path.Combine(folder.Path, SpecFile)).Trim();
        if (recorded != fingerprint) return null;
        return id == previousJob || !File.Exists(Path.Combine(folder.Path, TakenFile)) ? id : null;
    }

    void Track(Submission submission, SlurmJob job)
    {
        submission.Job = job;
        lock (_gate) _jobs[job.Id] = submission;
        _tracker.Track(job);
        if (submission.Launch.Cancellation.IsCancellationRequested)
            lock (_gate) _toCancel.Add(submission);
    }

    async Task CancelRequestedAsync()
    {
        List<Submission> cancel;
        lock (_gate)
        {
            if (_toCancel.Count == 0) return;
            cancel = _toCancel.ToList();
            _toCancel.Clear();
        }
        var ids = cancel.Where(s => s.Job != null).Select(s => s.Job!.Id).ToList();
        if (ids.Count == 0) return;
        try
        {
            await _tracker.CancelAsync(ids, _stop.Token).ConfigureAwait(false);
        }
        catch (SlurmException)
        {
            // The jobs end at their time limit at worst; the next poll's results still come.
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
    }

    void Apply(SlurmJobUpdate update)
    {
        Submission? submission;
        lock (_gate) _jobs.TryGetValue(update.Job.Id, out submission);
        if (submission == null) return;
        if (update.Result is { } result)
        {
            lock (_gate) _jobs.Remove(update.Job.Id);
            _ = Task.Run(() => FinishJobAsync(submission, result));
            return;
        }
        var reason = update.Reason is "" or "None" ? "" : update.Reason;
        Report(submission, update.State == SlurmJobState.Pending ? StepStatus.Queued : StepStatus.Running, reason,
            $"job {update.Job.Id}{(reason.Length > 0 ? ": " + reason : "")}");
    }

    /// <summary>Says where the job is when that (or Slurm's reason for it) changed.</summary>
    static void Report(Submission submission, StepStatus status, string reason, string detail)
    {
        var state = status + "|" + reason;
        if (state == submission.LastStatus) return;
        submission.LastStatus = state;
        submission.Observer.Status(status, detail);
    }

    async Task FinishJobAsync(Submission submission, SlurmJobResult result)
    {
        var job = submission.Job!;
        var cancelled = submission.Launch.Cancellation.IsCancellationRequested;
        if (result.Succeeded) await WaitForOutputsAsync(submission.Launch.Slurm!.Outputs).ConfigureAwait(false);
        var stdout = SlurmJobFolder.ReadText(job.Folder.Stdout);
        var stderr = SlurmJobFolder.ReadText(job.Folder.Stderr);
        if (!result.Started) stderr += SlurmJobFolder.ReadText(job.Folder.SlurmLog);
        try
        {
            File.WriteAllText(Path.Combine(job.Folder.Path, TakenFile), job.Id + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        var endedByItself = result.State is SlurmJobState.Completed or SlurmJobState.Failed && result.ExitCode is not null && result.Signal is null;
        RunResult run;
        if (cancelled) run = new RunResult(result.ExitCode ?? -1, stdout, stderr, true, null);
        else if (endedByItself) run = new RunResult(result.ExitCode!.Value, stdout, stderr, false, null);
        else
            run = new RunResult(result.ExitCode is { } code && code != 0 ? code : -1, stdout, stderr, false,
                $"ran as Slurm job {job.Id} and failed: {result.Describe()}.") { ErrorCode = Codes.SlurmEndedJob };
        Finish(submission, run);
    }

    /// <summary>A job's outputs may show on the director's machine a moment after the job ended there.</summary>
    static async Task WaitForOutputsAsync(IReadOnlyList<string> outputs)
    {
        var started = Stopwatch.GetTimestamp();
        while (outputs.Any(o => !File.Exists(o) && !Directory.Exists(o)) && Stopwatch.GetElapsedTime(started) < ResultGrace)
            await Task.Delay(100).ConfigureAwait(false);
    }

    /// <summary>squeue kept failing: the build's jobs are given up (and cancelled where Slurm still answers).</summary>
    async Task GiveUpAsync(Exception e)
    {
        List<Submission> lost;
        lock (_gate)
        {
            lost = _jobs.Values.ToList();
            _jobs.Clear();
        }
        foreach (var submission in lost) _tracker.Forget(submission.Job!.Id);
        try
        {
            await _client.CancelAsync(lost.Select(s => s.Job!.Id), _stop.Token).ConfigureAwait(false);
        }
        catch (SlurmException) { }
        catch (OperationCanceledException) { }
        foreach (var submission in lost)
            Finish(submission, Refusal(Codes.SlurmQueueUnreadable,
                $"ran as Slurm job {submission.Job!.Id}, but the queue could not be read for {QueueOutage.TotalSeconds:0} s, so the build gave up on it: {e.Message}"));
    }

    static RunResult Refusal(string code, string message) => new(-1, "", "", false, message) { ErrorCode = code };

    static void Finish(Submission submission, RunResult result)
    {
        if (Interlocked.Exchange(ref submission.Finished, 1) != 0) return;
        submission.Registration.Dispose();
        submission.Observer.Finished(result);
    }

    /// <summary>
    /// The step's variables as a job sees them: the step-API token and the director's socket are
    /// blanked (compute nodes cannot reach the director), and STEPUP_EXECUTOR tells the client why.
    /// </summary>
    static Dictionary<string, string> JobEnvironment(IReadOnlyDictionary<string, string> step)
    {
        var env = new Dictionary<string, string>(step, StringComparer.Ordinal);
        env[ProtocolInfo.EnvStepToken] = "";
        env[ProtocolInfo.EnvDirectorSocket] = "";
        env[ProtocolInfo.EnvExecutor] = Contract.SlurmExecutor;
        return env;
    }

    /// <summary>What decides whether a job already in the folder does what this run would: script and options.</summary>
    static string Fingerprint(SlurmJobSpec spec)
    {
        var text = new StringBuilder();
        text.Append(spec.Command).Append('\0').Append(spec.Workdir).Append('\0');
        foreach (var (name, value) in spec.Environment.OrderBy(v => v.Key, StringComparer.Ordinal)) text.Append(name).Append('=').Append(value).Append('\0');
        foreach (var option in spec.Resources.ToSbatchOptions()) text.Append(option).Append('\0');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A folder name for a step key (which may hold '/', spaces, anything): readable, and unique by its hash.</summary>
    static string FolderName(string key)
    {
        var readable = new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(48).ToArray()).TrimStart('.');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
        return (readable.Length == 0 ? "step" : readable) + "-" + hash;
    }

    /// <summary>
    /// Ends the loop. Jobs still tracked are left to Slurm (the build only ends this way when the
    /// director stops): the next build re-attaches to them.
    /// </summary>
    public void Dispose()
    {
        _stop.Cancel();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        List<Submission> left;
        lock (_gate)
        {
            left = _waiting.Concat(_jobs.Values).ToList();
            _waiting.Clear();
            _jobs.Clear();
        }
        foreach (var submission in left) Finish(submission, new RunResult(-1, "", "", true, null));
        _stop.Dispose();
    }
}
