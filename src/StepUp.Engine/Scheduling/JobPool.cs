namespace StepUp.Engine.Scheduling;

/// <summary>
/// Job slots shared by the builds of one director that ask to share them (MSBuild's): builds of
/// several projects at once run no more steps together than the largest StepUpJobs among them.
/// Planning steps and builds from StepUp's own command line take none (<see cref="Building.BuildOptions.ShareJobs"/>).
/// </summary>
public sealed class JobPool
{
    readonly object _gate = new();
    readonly List<int> _limits = new();
    int _used;
    TaskCompletionSource _freed = NewSignal();

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IDisposable Join(int jobs)
    {
        lock (_gate) _limits.Add(Math.Max(1, jobs));
        return new Membership(this, Math.Max(1, jobs));
    }

    public bool TryAcquire()
    {
        lock (_gate)
        {
            var limit = _limits.Count == 0 ? 1 : _limits.Max();
            if (_used >= limit) return false;
            _used++;
            return true;
        }
    }

    public void Release()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _used--;
            signal = _freed;
            _freed = NewSignal();
        }
        signal.TrySetResult();
    }

    /// <summary>Completes when some build releases a slot.</summary>
    public Task SlotFreed()
    {
        lock (_gate) return _freed.Task;
    }

    sealed class Membership(JobPool pool, int jobs) : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            TaskCompletionSource signal;
            lock (pool._gate)
            {
                pool._limits.Remove(jobs);
                signal = pool._freed;
                pool._freed = NewSignal();
            }
            signal.TrySetResult();
        }
    }
}
