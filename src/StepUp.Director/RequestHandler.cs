using System.Diagnostics;
using System.Globalization;
using StepUp.Engine.Building;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Engine.Sessions;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>Reads one request from a connection, does it, and answers with events and a final "done".</summary>
sealed class RequestHandler(DirectorServer server, LogFile log, DirectorContext context)
{
    readonly Dictionary<string, ProjectSession> _sessions = new(StringComparer.Ordinal);

    public async Task ServeAsync(Stream stream, CancellationToken stopping)
    {
        var request = Framing.ReadMessage(stream);
        if (request == null) return;
        // The director's own time runs from the request's arrival to the last byte of the answer.
        var clock = Stopwatch.StartNew();
        var items = request.Bool("itemsFollow") ? Framing.ReadRawFrame(stream) : null;
        var type = request.Str("type") ?? "";
        var protocol = request.Long("protocol");
        if (protocol != ProtocolInfo.Version)
        {
            Framing.WriteMessage(stream, new()
            {
                ["type"] = "rejected",
                ["reason"] = $"this director speaks StepUp protocol {ProtocolInfo.Version}, the client speaks {protocol}",
            });
            return;
        }
        switch (type)
        {
            case "ping":
                Framing.WriteMessage(stream, new() { ["type"] = "done", ["success"] = true, ["pid"] = (long)Environment.ProcessId });
                return;
            case "shutdown":
                Framing.WriteMessage(stream, new() { ["type"] = "done", ["success"] = true, ["pid"] = (long)Environment.ProcessId });
                server.Stop("asked to shut down");
                return;
            case var api when api.StartsWith("api.", StringComparison.Ordinal):
                await ServeStepCallAsync(request, stream).ConfigureAwait(false);
                return;
            case "build" or "clean" or "graph":
                await ServeProjectRequestAsync(type, request, items, stream, clock, stopping).ConfigureAwait(false);
                return;
            default:
                Framing.WriteMessage(stream, new() { ["type"] = "rejected", ["reason"] = $"unknown request '{type}'" });
                return;
        }
    }

    /// <summary>A call from a running step: answered by the build that runs it, if it still does.</summary>
    async Task ServeStepCallAsync(Dictionary<string, object?> request, Stream stream)
    {
        var target = context.Steps.Find(request.Str("token"));
        var reply = target == null
            ? new Dictionary<string, object?> { ["type"] = "error", ["message"] = "no step with this token is running: the StepUp API only works inside a step while the director runs it" }
            : await target.CallAsync(request).ConfigureAwait(false);
        Framing.WriteMessage(stream, reply);
    }

    async Task ServeProjectRequestAsync(string type, Dictionary<string, object?> request, byte[]? items, Stream stream, Stopwatch clock, CancellationToken stopping)
    {
        var root = Path.GetFullPath(request.Str("root") ?? throw new InvalidDataException("A request needs a root."));
        var idle = request.TryGetValue("idleTimeout", out var idleValue) ? Convert.ToDouble(idleValue, CultureInfo.InvariantCulture) : 10.0;
        server.SetIdleTimeout(TimeSpan.FromMinutes(Math.Max(0, idle)), request.Bool("transient"));

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        // The client says "cancel" (Ctrl-C) or just goes away: either way the build stops.
        var watcher = Task.Run(() =>
        {
            try
            {
                while (Framing.ReadMessage(stream) is { } message)
                    if (message.Str("type") == "cancel") break;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidDataException) { }
            cancel.Cancel();
        });

        var events = new EventStream(stream);
        var success = true;
        string summaryText = "";
        var session = SessionFor(root);
        try
        {
            switch (type)
            {
                case "build":
                    var summary = await session.BuildAsync(ReadBuild(request, items, root), events, context, cancel.Token).ConfigureAwait(false);
                    success = summary.Success;
                    summaryText = summary.ToString();
                    break;
                case "clean":
                    await session.CleanAsync(events, cancel.Token).ConfigureAwait(false);
                    break;
                case "graph":
                    await session.WriteGraphAsync(request.Str("prefix") ?? "graph", events, cancel.Token).ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            success = false;
            events.Report(Diagnostic.Error(Codes.Cancelled, "The request was cancelled."));
        }
        var elapsed = clock.Elapsed.TotalMilliseconds;
        log.Write($"{type} {root}: {(success ? "ok" : "failed")} in {elapsed:0.0} ms {summaryText}");
        events.Send(new()
        {
            ["type"] = "done",
            ["success"] = success,
            ["summary"] = summaryText,
            ["directorMs"] = elapsed,
        });
        await events.DisposeAsync().ConfigureAwait(false);
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
        foreach (var session in sessions)
            if (DateTime.UtcNow - session.LastUsed > idle && session.TryRelease())
                log.Write($"released the graph of {session.Root} (idle)");
    }

    static BuildRequest ReadBuild(Dictionary<string, object?> request, byte[]? itemsFrame, string root)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Obj("env") is { } e)
            foreach (var (k, v) in e) if (v is string s) env[k] = s;
        var options = request.Obj("options") ?? new Dictionary<string, object?>();
        var targets = options.Strings("targets").Select(t => PathRules.Normalize(root, ".", t)).ToList();
        return new BuildRequest
        {
            ItemsFingerprint = itemsFrame == null ? "" : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(itemsFrame)),
            ParseItems = () => itemsFrame == null ? new List<ItemSpec>() : ItemsReader.Read(itemsFrame),
            Environment = env,
            Options = new BuildOptions
            {
                Jobs = (int)Math.Max(1, options.Long("jobs", Environment.ProcessorCount)),
                KeepGoing = options.Bool("keepGoing"),
                Clean = options.Bool("clean", true),
                Targets = targets,
                Resources = Planner.ParseResources(options.Str("resources") ?? "", out _),
                ExplainRerun = options.Bool("explainRerun"),
                List = options.Bool("list"),
            },
        };
    }
}
