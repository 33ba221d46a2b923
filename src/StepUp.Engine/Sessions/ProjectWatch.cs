using System.Diagnostics;
using System.Threading.Channels;
using StepUp.Engine.Building;

namespace StepUp.Engine.Sessions;

/// <summary>
/// Watch mode (StepUpWatch): the project's files are watched (inotify, through the BCL's
/// FileSystemWatcher) from before the first build on; after each build, the changes that matter
/// (<see cref="WatchScope"/>) start the next one. Changes that come together, as an editor's save
/// or a `git checkout`, make one build: the watch waits until no change came for
/// <see cref="QuietTime"/>, at most <see cref="MaxGathering"/> after the first. Ends when cancelled.
/// </summary>
public sealed class ProjectWatch : IDisposable
{
    /// <summary>No further change for this long: the changes so far make one build.</summary>
    public static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(15);

    /// <summary>A stream of changes that never pauses still starts a build after this long.</summary>
    public static readonly TimeSpan MaxGathering = TimeSpan.FromMilliseconds(100);

    readonly FileSystemWatcher _watcher;
    readonly Channel<string?> _paths = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });

    /// <exception cref="IOException">The system cannot watch the folder (for instance, its limit of inotify watches is reached).</exception>
    public ProjectWatch(string root)
    {
        _watcher = new FileSystemWatcher(Path.GetFullPath(root))
        {
            IncludeSubdirectories = true,
            InternalBufferSize = 64 * 1024,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size |
                NotifyFilters.Attributes | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, e) => _paths.Writer.TryWrite(e.FullPath);
        _watcher.Created += (_, e) => _paths.Writer.TryWrite(e.FullPath);
        _watcher.Deleted += (_, e) => _paths.Writer.TryWrite(e.FullPath);
        _watcher.Renamed += (_, e) =>
        {
            _paths.Writer.TryWrite(e.OldFullPath);
            _paths.Writer.TryWrite(e.FullPath);
        };
        // Events were lost (the buffer overflowed): anything may have changed.
        _watcher.Error += (_, _) => _paths.Writer.TryWrite(null);
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>
    /// Builds again after each change that matters, streaming each build's events, until
    /// <paramref name="ct"/> is cancelled; returns the summary of the last build.
    /// </summary>
    public async Task<BuildSummary> RunAsync(ProjectSession session, BuildRequest request, BuildSummary first, IBuildEvents events,
        DirectorContext context, CancellationToken ct)
    {
        var last = first;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var scope = await session.WatchScopeAsync(ct).ConfigureAwait(false);
                events.Line("PHASE", "watch");
                var (changes, firstSeen) = await NextChangesAsync(scope, events, ct).ConfigureAwait(false);
                foreach (var change in changes) events.Line(change.Kind == WatchChangeKind.Deleted ? "DELETED" : "UPDATED", change.Path);
                session.Log($"watch: {changes.Count} change(s), build starts {firstSeen.Elapsed.TotalMilliseconds:0.0} ms after the first was seen");
                events.Line("PHASE", "build");
                last = await session.BuildAsync(request, events, context, ct).ConfigureAwait(false);
                events.Line("DIRECTOR", last.ToString());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C while waiting for changes is how a watch ends.
        }
        return last;
    }

    /// <summary>Waits for changes that matter and gathers those that follow closely; a change of the project file is only reported.</summary>
    async Task<(List<WatchChange> Changes, Stopwatch FirstSeen)> NextChangesAsync(WatchScope scope, IBuildEvents events, CancellationToken ct)
    {
        var changes = new List<WatchChange>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Stopwatch? firstSeen = null;
        var projectChanged = false;
        while (true)
        {
            string? fullPath;
            if (firstSeen == null)
            {
                fullPath = await _paths.Reader.ReadAsync(ct).ConfigureAwait(false);
            }
            else
            {
                var left = MaxGathering - firstSeen.Elapsed;
                if (left <= TimeSpan.Zero) break;
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(left < QuietTime ? left : QuietTime);
                try
                {
                    fullPath = await _paths.Reader.ReadAsync(quiet.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    break;
                }
            }
            if (fullPath == null)
            {
                firstSeen ??= Stopwatch.StartNew();
                if (seen.Add(".")) changes.Add(new WatchChange(".", WatchChangeKind.Updated));
                continue;
            }
            if (scope.Classify(fullPath) is not { } change || !seen.Add(change.Path)) continue;
            if (change.Kind == WatchChangeKind.ProjectFile)
            {
                if (!projectChanged)
                    events.Report(Diagnostic.Warning(Codes.WatchProjectChanged,
                        $"{change.Path} changed. MSBuild reads the items when the build starts: stop the watch (Ctrl-C) and start it again to use them."));
                projectChanged = true;
                continue;
            }
            firstSeen ??= Stopwatch.StartNew();
            changes.Add(change);
        }
        return (changes, firstSeen!);
    }

    public void Dispose() => _watcher.Dispose();
}
