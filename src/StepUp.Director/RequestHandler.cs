using System.Diagnostics;
using System.Security.Cryptography;
using StepUp.Engine.Building;
using StepUp.Engine.Planning;
using StepUp.Engine.Sessions;
using StepUp.Protocol;
using EngineBuildRequest = StepUp.Engine.Sessions.BuildRequest;

namespace StepUp.Director;

/// <summary>
/// Serves one connection: reads its request within <see cref="ProtocolInfo.RequestTimeout"/>, answers
/// what it cannot serve with a rejection, and does the rest (events and "done", or one answer).
/// </summary>
sealed class RequestHandler(DirectorServer server, LogFile log, DirectorContext context)
{
    readonly Dictionary<string, ProjectSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>The fingerprint of the last items frame of each root that parsed: the same bytes need no check.</summary>
    readonly Dictionary<string, string> _parsedItems = new(StringComparer.Ordinal);

    public async Task ServeAsync(Stream stream, CancellationToken stopping)
    {
        Request request;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            deadline.CancelAfter(ProtocolInfo.RequestTimeout);
            byte[]? frame;
            try
            {
                frame = await Framing.ReadAsync(stream, ProtocolInfo.MaxRequestBytes, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                log.Write($"closed a connection that sent no request within {ProtocolInfo.RequestTimeout.TotalSeconds:0} s");
                return;
            }
            catch (ProtocolException e)
            {
                await RejectAsync(stream, Codes.MalformedRequest, e.Message, stopping).ConfigureAwait(false);
                return;
            }
            if (frame == null) return;
            try
            {
                request = Messages.ReadRequest(frame);
            }
            catch (ProtocolException e)
            {
                await RejectAsync(stream, e.IsVersionMismatch ? Codes.ProtocolMismatch : Codes.MalformedRequest, e.Message, stopping).ConfigureAwait(false);
                return;
            }
        }
        if (!server.TryEnter())
        {
            await RejectAsync(stream, Codes.DirectorUnavailable, "the director is shutting down; build again to start a new one", stopping).ConfigureAwait(false);
            return;
        }
        try
        {
            switch (request)
            {
                case ShutdownRequest:
                    await Framing.WriteAsync(stream, new ShutdownReply { Pid = Environment.ProcessId, SdkVersion = server.SdkVersion }.ToFrame(), stopping).ConfigureAwait(false);
                    server.Stop("asked to shut down");
                    break;
                case StepCall call:
                    await ServeStepCallAsync(call, stream, stopping).ConfigureAwait(false);
                    break;
                case ProjectRequest project:
                    await ServeProjectRequestAsync(project, stream, stopping).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            server.Leave();
        }
    }

    async Task RejectAsync(Stream stream, string code, string reason, CancellationToken stopping)
    {
        log.Write($"refused a request ({code}): {reason}");
        await Framing.WriteAsync(stream, new Rejection { Code = code, Reason = reason }.ToFrame(), stopping).ConfigureAwait(false);
    }

    /// <summary>A call from a running step: answered by the build that runs it, if it still does.</summary>
    async Task ServeStepCallAsync(StepCall call, Stream stream, CancellationToken stopping)
    {
        var target = context.Steps.Find(call.Token);
        var reply = target == null
            ? new ErrorReply { Text = "no step with this token is running: the StepUp API only works inside a step while the director runs it" }
            : await target.CallAsync(call).ConfigureAwait(false);
        await Framing.WriteAsync(stream, reply.ToFrame(), stopping).ConfigureAwait(false);
    }

    async Task ServeProjectRequestAsync(ProjectRequest request, Stream stream, CancellationToken stopping)
    {
        // The director's own time runs from the request's arrival to the last byte of the answer.
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(request.Root);
        server.OfferKeepAlive(request.Transient ? TimeSpan.Zero : TimeSpan.FromMinutes(request.IdleTimeoutMinutes));
        EngineBuildRequest? build = null;
        if (request is BuildProjectRequest buildRequest)
        {
            try
            {
                build = await ReadBuildAsync(buildRequest, root, stream, stopping).ConfigureAwait(false);
            }
            catch (ProtocolException e)
            {
                await RejectAsync(stream, Codes.MalformedRequest, e.Message, stopping).ConfigureAwait(false);
                return;
            }
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var served = new CancellationTokenSource();
        // Only a single build drains: for a watch, a clean or a graph a drain is a cancel.
        using var drain = request is BuildProjectRequest { Watch: false } ? new CancellationTokenSource() : null;
        var watcher = WatchForCancelAsync(stream, cancel, drain, served.Token);
        var events = new EventStream(stream, (request as BuildProjectRequest)?.StepLines ?? true);
        var success = true;
        var summaryText = "";
        int failed = 0, notRun = 0, jobs = 0;
        var drained = false;
        var session = SessionFor(root);
        try
        {
            switch (request)
            {
                case BuildProjectRequest { Watch: true }:
                    var watched = await WatchAsync(session, build!, events, cancel.Token).ConfigureAwait(false);
                    success = watched.Success;
                    summaryText = watched.ToString();
                    break;
                case BuildProjectRequest:
                    var summary = await session.BuildAsync(build!, events, context, cancel.Token, drain!.Token).ConfigureAwait(false);
                    success = summary.Success;
                    summaryText = summary.ToString();
                    failed = summary.Failed;
                    notRun = summary.NotRun;
                    jobs = summary.Jobs;
                    drained = summary.Drained;
                    break;
                case CleanProjectRequest clean:
                    await session.CleanAsync(clean.Attic, events, cancel.Token, clean.DryRun,
                        clean.Paths.Count == 0 ? null : clean.Paths.Select(p => PathRules.Normalize(root, ".", p)).ToList(), clean.All).ConfigureAwait(false);
                    break;
                case GraphProjectRequest graph:
                    await session.WriteGraphAsync(graph.Prefix, events, cancel.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            success = false;
            events.Report(Diagnostic.Error(Codes.Cancelled, "The request was cancelled."));
        }
        var elapsed = clock.Elapsed.TotalMilliseconds;
        log.Write($"{request.Type} {root}: {(success ? "ok" : "failed")} in {elapsed:0.0} ms {summaryText}");
        events.Send(new DoneEvent { Success = success, Summary = summaryText, DirectorMs = elapsed, Failed = failed, NotRun = notRun, Jobs = jobs, Drained = drained });
        // The client has its result; it waits for the connection to close, which says the report is on disk.
        await session.ReportWritten.ConfigureAwait(false);
        await events.DisposeAsync().ConfigureAwait(false);
        served.Cancel();
        await watcher.ConfigureAwait(false);
    }

    /// <summary>
    /// StepUpWatch: a build, then a build after each change that matters, until the client cancels
    /// (Ctrl-C), which ends the watch without an error of its own. The files are watched from before
    /// the first build, so that nothing edited meanwhile is missed.
    /// </summary>
    async Task<BuildSummary> WatchAsync(ProjectSession session, EngineBuildRequest build, EventStream events, CancellationToken ct)
    {
        ProjectWatch watch;
        try
        {
            watch = new ProjectWatch(session.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            events.Report(Diagnostic.Error(Codes.WatchUnavailable, $"StepUpWatch cannot watch the files of {session.Root}: {e.Message}"));
            return new BuildSummary();
        }
        using (watch)
        {
            var first = await session.BuildAsync(build, events, context, ct).ConfigureAwait(false);
            events.Line("DIRECTOR", first.ToString());
            return await watch.RunAsync(session, build, first, events, context, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The client says "cancel" (Ctrl-C) or just goes away: either way the request stops. A drain
    /// cancel only drains a build (<paramref name="drain"/>), which the client may still cancel.
    /// </summary>
    static async Task WatchForCancelAsync(Stream stream, CancellationTokenSource cancel, CancellationTokenSource? drain, CancellationToken served)
    {
        try
        {
            while (true)
            {
                var frame = await Framing.ReadAsync(stream, ProtocolInfo.MaxRequestBytes, served).ConfigureAwait(false);
                if (frame == null || !Messages.ReadWhileServed(frame).Drain || drain == null) break;
                drain.Cancel();
            }
        }
        catch (OperationCanceledException) when (served.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or ProtocolException or OperationCanceledException) { }
        cancel.Cancel();
    }

    /// <summary>The engine's build request; reads and, when its bytes are new, checks the items frame.</summary>
    async Task<EngineBuildRequest> ReadBuildAsync(BuildProjectRequest request, string root, Stream stream, CancellationToken stopping)
    {
        byte[]? frame = null;
        if (request.ItemsFollow)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            stall.CancelAfter(ProtocolInfo.ItemsStallTimeout);
            try
            {
                frame = await Framing.ReadAsync(stream, ProtocolInfo.MaxItemsBytes, stall.Token, () => stall.CancelAfter(ProtocolInfo.ItemsStallTimeout)).ConfigureAwait(false)
                    ?? throw new ProtocolException("the connection closed before the announced items frame");
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                throw new ProtocolException($"the announced items frame stalled for {ProtocolInfo.ItemsStallTimeout.TotalSeconds:0} s");
            }
        }
        var fingerprint = frame == null ? "" : Convert.ToHexStringLower(SHA256.HashData(frame));
        List<ItemSpec>? items = null;
        bool known;
        lock (_parsedItems) known = _parsedItems.TryGetValue(root, out var last) && last == fingerprint;
        if (frame != null && !known)
        {
            // New bytes are read now, so that a malformed frame is rejected rather than failing inside a build.
            items = ItemsReader.Read(frame);
            lock (_parsedItems) _parsedItems[root] = fingerprint;
        }
        return new EngineBuildRequest
        {
            ItemsFingerprint = fingerprint,
            Items = items,
            // Parsed items make the frame garbage (20 MB at 100,000 steps), unless a watch plans again from it.
            ParseItems = items != null && !request.Watch ? null : () => frame == null ? new List<ItemSpec>() : ItemsReader.Read(frame),
            Repeated = request.Watch,
            Environment = request.Environment,
            Options = new BuildOptions
            {
                Jobs = request.Jobs,
                ShareJobs = request.ShareJobs,
                KeepGoing = request.KeepGoing,
                Clean = request.Clean,
                // A trailing slash names a folder target (StepUp 4's directory target); it survives normalisation.
                Targets = request.Targets.Select(t => t.EndsWith('/') && t.Trim('/').Length > 0
                    ? PathRules.Normalize(root, ".", t.TrimEnd('/')) + "/"
                    : PathRules.Normalize(root, ".", t)).ToList(),
                Resources = request.Resources,
                ExplainRerun = request.ExplainRerun,
                List = request.List,
                Attic = request.Attic,
                Invalidate = request.Invalidate,
                ProgressEvery = TimeSpan.FromSeconds(request.ProgressSeconds),
                HeartbeatAfter = TimeSpan.FromSeconds(request.HeartbeatSeconds),
                Executor = request.Executor,
                SlurmOptions = Engine.Slurm.SlurmResources.SplitOptions(request.SlurmOptions),
                SlurmMaxJobs = request.SlurmMaxJobs,
                DryRun = request.DryRun,
                DeferCap = request.DeferCap,
            },
        };
    }

    ProjectSession SessionFor(string root)
    {
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(root, out var session))
                _sessions[root] = session = new ProjectSession(root);
            return session;
        }
    }

    /// <summary>
    /// Gives back the memory of projects not built for a while (their graphs reload from disk when
    /// needed), and closes every database when the director stops.
    /// </summary>
    public void ReleaseIdleSessions(TimeSpan idle)
    {
        List<ProjectSession> sessions;
        lock (_sessions) sessions = _sessions.Values.ToList();
        var released = false;
        foreach (var session in sessions)
        {
            if (DateTime.UtcNow - session.LastUsed <= idle || !session.TryRelease()) continue;
            log.Write($"released the graph of {session.Root} (idle)");
            released = true;
        }
        // A released graph is garbage the collector would keep committed for the next build: give
        // the pages back to the system, so that an idle director is as small as a new one.
        if (released) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
