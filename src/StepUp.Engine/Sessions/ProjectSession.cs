using System.Diagnostics;
using Microsoft.Data.Sqlite;
using StepUp.Engine.Building;
using StepUp.Engine.Files;
using StepUp.Engine.Reporting;
using StepUp.Engine.Storage;

namespace StepUp.Engine.Sessions;

/// <summary>
/// One project root as the director keeps it between builds: its graph in memory, its database,
/// and the lock that lets only one build at a time touch the root.
/// </summary>
public sealed class ProjectSession : IDisposable
{
    readonly SemaphoreSlim _busy = new(1, 1);
    GraphStore? _store;
    ProjectGraph? _graph;
    long _generation = -1;
    long _verifiedGeneration = -2;
    FileStamp _databaseStamp = FileStamp.Missing;
    bool _resetReported;
    Task _report = Task.CompletedTask;

    public ProjectSession(string root)
    {
        Root = Path.GetFullPath(root);
        _log = new LogFile(Path.Combine(StateFolder, "director.log"));
    }

    readonly LogFile _log;

    public string Root { get; }
    string StateFolder => Path.Combine(Root, ".stepup");

    /// <param name="drain">Once cancelled, the build starts no more steps (see <see cref="BuildRun.RunAsync"/>).</param>
    public async Task<BuildSummary> BuildAsync(BuildRequest request, IBuildEvents events, DirectorContext context, CancellationToken ct, CancellationToken drain = default)
    {
        var summary = new BuildSummary();
        await using var hold = await TryEnterAsync(events, ct).ConfigureAwait(false);
        if (hold == null) return summary;
        var clock = Stopwatch.StartNew();
        try
        {
            var phases = new PhaseClock();
            var (store, graph, trustStat) = Open(events);
            phases.Mark("open");
            // Equal items make an equal plan (unless it lists folders): then it is not even parsed.
            // StepUpList always plans: it reports what the plans leave out; StepUpInvalidate matches the plan's realizations.
            var selecting = request.Options.List || request.Options.Invalidate.Count > 0;
            var samePlan = !selecting && request.ItemsFingerprint.Length > 0 && request.ItemsFingerprint == graph.PlanFingerprint;
            Plan? applied = null;
            bool PlanAndApply()
            {
                var known = new PlanningContext(graph.Steps.Values.Select(s => s.Definition), Explain: request.Options.List);
                var items = request.TakeItems();
                var plan = applied = new Planner(Root, request.Environment).Plan(items, known);
                // The items of a large plan are garbage now, and in the oldest generation: collect them
                // before the graph is built, so that the director's peak holds one, not both. A small
                // plan's items are not worth a full collection of every project the director holds.
                if (items.Count >= LargePlanItems) GC.Collect();
                phases.Mark("plan");
                foreach (var diagnostic in plan.Diagnostics) events.Report(diagnostic);
                if (!plan.IsValid)
                {
                    Log($"build: invalid plan ({plan.Diagnostics.Count} problem(s))");
                    return false;
                }
                PlanApplier.Apply(graph, graph.Root, plan);
                graph.PlanFingerprint = plan.ReadsFolders ? "" : request.ItemsFingerprint;
                phases.Mark("apply");
                return true;
            }
            if (!samePlan && !PlanAndApply()) return summary;
            store.MarkBuildStarted();
            var folders = new List<FileNode>();
            var journal = Journal();
            var changedFiles = FileRefresher.Refresh(graph, Root, trustStat, folders, journal, out var stated) + GlobCheck.Recheck(graph, Root);
            phases.Mark("refresh");
            if (ReportStaticFolders(folders, events))
            {
                // Nothing is built with a file StepUp cannot check: the build drains before it starts.
                store.Save(graph);
                store.MarkBuildFinished();
                Log("build: drained, static file(s) replaced by folders");
                return summary;
            }
            if (samePlan && graph.Root.Products.OfType<FileNode>().Any(f => f.State == FileState.Missing))
            {
                // A static file went missing: plan again, so that it is reported where it is declared.
                samePlan = false;
                if (!PlanAndApply())
                {
                    graph.PlanFingerprint = "";
                    store.Save(graph);
                    store.MarkBuildFinished();
                    return summary;
                }
                changedFiles += FileRefresher.Refresh(graph, Root, trustStat, null, journal, out var again);
                stated += again;
            }
            if (request.Options.List)
            {
                summary = PlanList.Report(graph, applied!, request.Environment, events);
                store.Save(graph);
                store.MarkBuildFinished();
                _generation = store.Generation;
                _verifiedGeneration = -1;
                return summary;
            }
            if (request.Options.Invalidate.Count > 0)
            {
                summary = Invalidation.Apply(graph, applied!, request.Options.Invalidate, events);
                store.Save(graph);
                store.MarkBuildFinished();
                _generation = store.Generation;
                _verifiedGeneration = -1;
                Log($"invalidate: {summary}");
                return summary;
            }
            // A graph started anew (Clean, another version) continues after the numbers the attic holds.
            if (graph.Build == 0) graph.Build = Attic.LatestBuild(Root);
            graph.Build++;
            var attic = request.Options.Attic ? new Attic(Root) : null;
            // Nothing changed since a build that checked every step: recorded hashes still hold.
            var trustHashes = samePlan && changedFiles == 0 && _verifiedGeneration == _generation && trustStat;
            var run = new BuildRun(graph, Root, request.Options, request.Environment, events, context, () => store.Save(graph)) { TrustHashes = trustHashes, Log = Log };
            summary = await run.RunAsync(ct, drain).ConfigureAwait(false);
            summary.Build = graph.Build;
            phases.Mark("run");
            if (request.Options.Clean && !request.Options.DryRun)
            {
                if (summary.Success && request.Options.Targets.Count == 0)
                {
                    var cleaner = new Cleaner(Root, events, attic);
                    var reverted = cleaner.RevertOptional(graph);
                    if (reverted > 0) events.Line("DIRECTOR", $"Reverted {reverted} optional step(s) that no step needs any more to PENDING; their outputs are removed.");
                    cleaner.RemoveOrphans(graph);
                    summary.Removed = cleaner.Removed;
                }
                else if (graph.Orphans().Count > 0)
                {
                    events.Line("DIRECTOR", summary.Success
                        ? "Skipping orphan cleanup for a build restricted to StepUpTargets."
                        : "Skipping orphan cleanup due to an incomplete build.");
                }
            }
            phases.Mark("cleanup");
            store.Save(graph);
            store.MarkBuildFinished();
            phases.Mark("save");
            _generation = store.Generation;
            _verifiedGeneration = summary.Success && request.Options.Targets.Count == 0 && !request.Options.DryRun ? _generation : -1;
            // A dry run changes nothing on disk but what its planning steps write.
            StartAfterBuild(graph, journal, request.Options.DryRun ? null : run.Record, summary);
            Log($"build: {summary} in {clock.ElapsedMilliseconds} ms ({phases}); {stated} of {graph.Files.Count} files stated");
            return summary;
        }
        catch (Exception e) when (IsStateFailure(e))
        {
            Forget();
            ReportStateFailure(events, e);
            summary.Success = false;
            return summary;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Forget();
            Log("build failed inside the director: " + e);
            events.Report(Diagnostic.Error(Codes.DirectorInternal,
                $"StepUp's director failed while building {Root}: {e.Message} (details in .stepup/director.log). The next build starts from the saved graph."));
            summary.Success = false;
            return summary;
        }
    }

    /// <summary>
    /// Static files that a step declared and that are folders now: each an error with the step that
    /// declared it and those that read it. (A project's own static items are planned again and
    /// reported where they are declared.) True when there was one.
    /// </summary>
    static bool ReportStaticFolders(List<FileNode> folders, IBuildEvents events)
    {
        var reported = false;
        foreach (var file in folders)
        {
            if (file.IsOrphan || file.Creator is not StepNode declarer) continue;
            var readers = file.Consumers.Where(c => !c.IsOrphan).Select(c => "'" + c.Label + "'").ToList();
            events.Report(Diagnostic.Error(Codes.StaticBecameFolder,
                $"Could not hash {file.Path}: it is a folder now, not a file. Step '{declarer.Label}' declares it static" +
                (readers.Count > 0 ? $" and step(s) {string.Join(", ", readers)} read it" : "") + "; nothing runs until it is a file again.",
                Events.StepReporter.LocationOf(declarer)));
            reported = true;
        }
        return reported;
    }

    /// <summary>What a watch of the project compares changes against: the graph as the last build left it.</summary>
    public async Task<WatchScope> WatchScopeAsync(CancellationToken ct)
    {
        await _busy.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return new WatchScope(_graph, Root);
        }
        finally { _busy.Release(); }
    }

    /// <summary>
    /// The build report of the build just done (none for a dry run) is written while its result
    /// travels to the client, which waits for it; then the journal prepares the next refresh. The
    /// next request of this project waits for both (<see cref="EnterAsync"/>), so that the graph
    /// they read does not change under them.
    /// </summary>
    void StartAfterBuild(ProjectGraph graph, FileJournal? journal, BuildRecord? record, BuildSummary summary)
    {
        if (record != null) summary.Report = Path.Combine(Root, ReportWriter.RelativePath);
        _report = record == null ? Task.CompletedTask : Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                ReportWriter.Write(graph, record, summary, Root);
                Log($"report: written in {clock.ElapsedMilliseconds} ms");
            }
            catch (Exception e)
            {
                // The report only describes the build: whatever keeps it from being written must not fail the next one.
                Log("report: not written: " + e);
            }
        });
        _afterBuild = journal == null ? _report : _report.ContinueWith(_ =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var differ = journal.Prepare(graph);
                if (differ >= 0) Log($"journal: watching {graph.Files.Count} file(s) afresh, {differ} differ from the graph, in {clock.ElapsedMilliseconds} ms");
            }
            catch (Exception e)
            {
                journal.Invalidate();
                Log("journal: not prepared: " + e);
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    Task _afterBuild = Task.CompletedTask;

    FileJournal? _journal;
    bool _noJournal;

    /// <summary>The root's journal, made at the first build (none where the system cannot keep one).</summary>
    FileJournal? Journal()
    {
        if (_journal != null || _noJournal) return _journal;
        _journal = FileJournal.TryCreate(Root);
        _noJournal = _journal == null;
        return _journal;
    }

    const int LargePlanItems = 10_000;

    /// <summary>Completes once the report of the last build is on disk (or could not be written).</summary>
    public Task ReportWritten => _report;

    /// <summary>The Clean target: removes recorded, unedited outputs (with the attic: moves them there) and forgets the graph; a dry run only names them.</summary>
    /// <param name="paths">`stepup clean`: only the outputs at or under these (root-relative) and what is built from them, orphans only unless <paramref name="all"/>; the graph stays.</param>
    public async Task CleanAsync(bool attic, IBuildEvents events, CancellationToken ct, bool dryRun = false, IReadOnlyList<string>? paths = null, bool all = false)
    {
        if (!File.Exists(Path.Combine(StateFolder, GraphStore.FileName))) return;
        await using var hold = await TryEnterAsync(events, ct).ConfigureAwait(false);
        if (hold == null) return;
        var cleaner = new Cleaner(Root, events, attic ? new Attic(Root) : null) { DryRun = dryRun };
        try
        {
            var (store, graph, _) = Open(events);
            if (paths != null)
            {
                cleaner.RemoveSelected(graph, paths, all);
                if (!dryRun) store.Save(graph);
                return;
            }
            cleaner.RemoveAllOutputs(graph);
            if (dryRun) return;
            Forget();
            GraphStore.Delete(Root);
            if (attic) KeepBuildNumber(graph.Build);
        }
        catch (Exception e) when (IsStateFailure(e) || e is IOException or UnauthorizedAccessException)
        {
            Forget();
            ReportStateFailure(events, e);
            return;
        }
        events.Line("DIRECTOR", attic
            ? $"Moved {cleaner.Removed} output(s) to {Attic.GraphFolder}/; the graph is reset."
            : $"Removed {cleaner.Removed} output(s); the graph is reset.");
        Log($"clean: removed {cleaner.Removed}");
    }

    /// <summary>
    /// With the attic, the graph started anew by Clean keeps the build number, so that the next
    /// build's outputs are filed under a number no earlier build used.
    /// </summary>
    void KeepBuildNumber(long build)
    {
        using var store = GraphStore.Open(Root);
        var fresh = store.Load();
        fresh.Build = build;
        store.Save(fresh);
    }

    public async Task WriteGraphAsync(string prefix, IBuildEvents events, CancellationToken ct)
    {
        await using var hold = await TryEnterAsync(events, ct).ConfigureAwait(false);
        if (hold == null) return;
        ProjectGraph graph;
        try
        {
            (_, graph, _) = Open(events);
        }
        catch (Exception e) when (IsStateFailure(e))
        {
            Forget();
            ReportStateFailure(events, e);
            return;
        }
        GraphWriter.Write(graph, Root, prefix);
        events.Line("DIRECTOR", $"Wrote graph to {prefix}.txt, {prefix}_provenance.dot, {prefix}_dependency.dot, {prefix}_provenance.svg and {prefix}_dependency.svg");
    }

    (GraphStore store, ProjectGraph graph, bool trustStat) Open(IBuildEvents events)
    {
        // Someone deleted or replaced .stepup/graph.db since the last request: start from the disk.
        if (_store != null && !SameFile(_store.DatabasePath, _databaseStamp)) Forget();
        if (_store == null)
        {
            try
            {
                _store = GraphStore.Open(Root);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not StateFolderException)
            {
                throw new StateFolderException($"could not open {GraphStore.FileName}: {e.Message}", e);
            }
            _resetReported = false;
            FileStamper.TryStat(_store.DatabasePath, out _databaseStamp);
        }
        if (_graph == null || _store.ReadGeneration() != _generation)
        {
            _graph = _store.Load();
            _generation = _store.Generation;
            _journal?.Invalidate();
        }
        ReportReset(_store, events);
        // Read after Load: another process may have left its build unfinished.
        var trustStat = !_store.WasInterrupted;
        if (!trustStat) Log("the previous build was interrupted: every file is hashed again");
        return (_store, _graph, trustStat);
    }

    /// <summary>Says once per database that it was started anew, and why: every step runs again.</summary>
    void ReportReset(GraphStore store, IBuildEvents events)
    {
        if (store.ResetReason is not { } reason || _resetReported) return;
        _resetReported = true;
        Log($"the graph was started anew: {reason} {store.ResetDetail}");
        if (reason == GraphResetReason.Damaged)
            events.Report(Diagnostic.Warning(Codes.GraphRebuilt,
                $"StepUp's graph {store.DatabasePath} was damaged ({store.ResetDetail}); it was started anew, so every step runs again."));
        else
            events.Line("DIRECTOR", $"The graph {store.DatabasePath} was made by another version of StepUp; it was started anew, so every step runs again.");
    }

    /// <summary>StepUp could not write .stepup/: a read-only or full file system, a folder it may not write.</summary>
    static bool IsStateFailure(Exception e) => e is StateFolderException || e is SqliteException s && !GraphSchema.IsDamage(s);

    void ReportStateFailure(IBuildEvents events, Exception e)
    {
        Log("cannot use the state folder: " + e.Message);
        var detail = e is SqliteException ? $"{GraphStore.FileName}: {e.Message}" : e.Message;
        events.Report(Diagnostic.Error(Codes.StateFolderUnusable,
            $"StepUp cannot write its state folder {StateFolder}: {detail.TrimEnd('.')}. The project must be on a writable file system with free space."));
    }

    static bool SameFile(string path, FileStamp known) => FileStamper.TryStat(path, out var now) && now.Inode == known.Inode;

    /// <summary>When the session last served a request; idle sessions give their memory back.</summary>
    public DateTime LastUsed { get; private set; } = DateTime.UtcNow;

    /// <summary>
    /// Releases the graph and the database of an idle session; the next request loads them again.
    /// True only when something was held: a released session is not released again.
    /// </summary>
    public bool TryRelease()
    {
        if (!_busy.Wait(0)) return false;
        try
        {
            // The journal may still be preparing, the report still being written: both read what is released here.
            _afterBuild.Wait();
            var held = _store != null || _graph != null;
            Forget();
            return held;
        }
        finally { _busy.Release(); }
    }

    /// <summary>Drops everything held in memory, so the next request starts from the database.</summary>
    void Forget()
    {
        _journal?.Dispose();
        _journal = null;
        _graph = null;
        _store?.Dispose();
        _store = null;
        _generation = -1;
    }

    /// <summary>Enters as <see cref="EnterAsync"/> does; null (the error reported) when .stepup/ cannot be written.</summary>
    async Task<IAsyncDisposable?> TryEnterAsync(IBuildEvents events, CancellationToken ct)
    {
        try
        {
            return await EnterAsync(events, ct).ConfigureAwait(false);
        }
        catch (StateFolderException e)
        {
            ReportStateFailure(events, e);
            return null;
        }
    }

    async Task<IAsyncDisposable> EnterAsync(IBuildEvents events, CancellationToken ct)
    {
        if (!await _busy.WaitAsync(0, ct).ConfigureAwait(false))
        {
            events.Line("WAIT", "Another build of this project is running; waiting for it to finish.");
            await _busy.WaitAsync(ct).ConfigureAwait(false);
        }
        try
        {
            await _afterBuild.ConfigureAwait(false);
            var rootLock = await RootLock.AcquireAsync(StateFolder, events, ct).ConfigureAwait(false);
            return new Hold(this, rootLock);
        }
        catch
        {
            _busy.Release();
            throw;
        }
    }

    sealed class Hold(ProjectSession session, RootLock rootLock) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            session.LastUsed = DateTime.UtcNow;
            rootLock.Dispose();
            session._busy.Release();
            return ValueTask.CompletedTask;
        }
    }

    public void Log(string message) => _log.Write(message);

    public void Dispose()
    {
        _afterBuild.Wait();
        Forget();
    }
}
