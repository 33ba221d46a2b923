namespace StepUp.Cli.Workflow;

/// <summary>
/// `stepup build -W`: while the front end waits between builds, the first change of a file of the
/// project starts the next build, <see cref="Delay"/> later, so that an editor's save (often a
/// write and a rename) makes one build. Changes inside .stepup/ and the files the front end itself
/// asked for (`stepup graph`) do not count. Only the wait between builds is watched: what a build
/// writes starts nothing.
/// </summary>
sealed class FirstChangeWatch : IDisposable
{
    /// <summary>From the first change to the build, as StepUp waits.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);

    readonly FileSystemWatcher _watcher;
    readonly Func<string, bool> _ignored;
    readonly Action<string, bool> _seen;
    readonly Action _due;
    readonly Timer _timer;
    int _fired;

    /// <param name="ignored">Whether a changed full path is none of the project's files.</param>
    /// <param name="seen">The first change, at once: its full path, and whether it was a deletion.</param>
    /// <param name="due">The build is due (<see cref="Delay"/> after the first change, unless disposed before).</param>
    /// <exception cref="IOException">The system cannot watch the folder (for instance, its limit of inotify watches is reached).</exception>
    public FirstChangeWatch(string root, Func<string, bool> ignored, Action<string, bool> seen, Action due)
    {
        _ignored = ignored;
        _seen = seen;
        _due = due;
        _timer = new Timer(_ => _due());
        _watcher = new FileSystemWatcher(Path.GetFullPath(root))
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += (_, e) => Changed(e.FullPath, deleted: false);
        _watcher.Created += (_, e) => Changed(e.FullPath, deleted: false);
        _watcher.Deleted += (_, e) => Changed(e.FullPath, deleted: true);
        _watcher.Renamed += (_, e) => Changed(e.FullPath, deleted: false);
        // Events were lost: something changed.
        _watcher.Error += (_, _) => Changed(Path.GetFullPath(root), deleted: false);
        _watcher.EnableRaisingEvents = true;
    }

    void Changed(string fullPath, bool deleted)
    {
        if (_ignored(fullPath) || Interlocked.Exchange(ref _fired, 1) == 1) return;
        _seen(fullPath, deleted);
        try { _timer.Change(Delay, Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}
