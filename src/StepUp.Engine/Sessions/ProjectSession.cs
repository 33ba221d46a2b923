using System.Diagnostics;
using StepUp.Engine.Building;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
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

    public ProjectSession(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    string StateFolder => Path.Combine(Root, ".stepup");

    public Task<BuildSummary> BuildAsync(BuildRequest request, IBuildEvents events, JobPool pool, CancellationToken ct) =>
        BuildAsync(request, events, new DirectorContext { Pool = pool }, ct);

    public async Task<BuildSummary> BuildAsync(BuildRequest request, IBuildEvents events, DirectorContext context, CancellationToken ct)
    {
        await using var hold = await EnterAsync(events, ct).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var summary = new BuildSummary();
        try
        {
            var plan = new Planner(Root, request.Environment).Plan(request.Items);
            foreach (var diagnostic in plan.Diagnostics) events.Report(diagnostic);
            if (!plan.IsValid)
            {
                Log($"build: invalid plan ({plan.Diagnostics.Count} problem(s))");
                return summary;
            }
            var (store, graph, trustStat) = Open();
            store.MarkBuildStarted();
            PlanApplier.Apply(graph, graph.Root, plan);
            FileRefresher.Refresh(graph, Root, trustStat);
            var run = new BuildRun(graph, Root, request.Options, request.Environment, events, context, () => store.Save(graph));
            summary = await run.RunAsync(ct).ConfigureAwait(false);
            if (request.Options.Clean)
            {
                if (summary.Success && request.Options.Targets.Count == 0)
                {
                    var cleaner = new Cleaner(Root, events);
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
            store.Save(graph);
            store.MarkBuildFinished();
            _generation = store.Generation;
            Log($"build: {summary} in {clock.ElapsedMilliseconds} ms");
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

    /// <summary>The Clean target: removes recorded, unedited outputs and forgets the graph.</summary>
    public async Task CleanAsync(IBuildEvents events, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(StateFolder, GraphStore.FileName))) return;
        await using var hold = await EnterAsync(events, ct).ConfigureAwait(false);
        var (_, graph, _) = Open();
        var cleaner = new Cleaner(Root, events);
        cleaner.RemoveAllOutputs(graph);
        Forget();
        GraphStore.Delete(Root);
        events.Line("DIRECTOR", $"Removed {cleaner.Removed} output(s); the graph is reset.");
        Log($"clean: removed {cleaner.Removed}");
    }

    public async Task WriteGraphAsync(string prefix, IBuildEvents events, CancellationToken ct)
    {
        await using var hold = await EnterAsync(events, ct).ConfigureAwait(false);
        var (_, graph, _) = Open();
        GraphWriter.Write(graph, Root, prefix);
        events.Line("DIRECTOR", $"Wrote graph to {prefix}.txt, {prefix}_provenance.dot and {prefix}_dependency.dot");
    }

    (GraphStore store, ProjectGraph graph, bool trustStat) Open()
    {
        _store ??= GraphStore.Open(Root);
        if (_graph == null || _store.ReadGeneration() != _generation)
        {
            _graph = _store.Load();
            _generation = _store.Generation;
        }
        // Read after Load: another process may have left its build unfinished.
        var trustStat = !_store.WasInterrupted;
        if (!trustStat) Log("the previous build was interrupted: every file is hashed again");
        return (_store, _graph, trustStat);
    }

    /// <summary>Drops everything held in memory, so the next request starts from the database.</summary>
    void Forget()
    {
        _graph = null;
        _store?.Dispose();
        _store = null;
        _generation = -1;
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
            rootLock.Dispose();
            session._busy.Release();
            return ValueTask.CompletedTask;
        }
    }

    public void Log(string message)
    {
        try
        {
            Directory.CreateDirectory(StateFolder);
            File.AppendAllText(Path.Combine(StateFolder, "director.log"),
                $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{Environment.ProcessId}] {message}{Environment.NewLine}");
        }
        catch (IOException) { }
    }

    public void Dispose() => Forget();
}
