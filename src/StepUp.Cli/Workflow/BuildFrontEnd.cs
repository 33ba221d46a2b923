using System.Collections;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using StepUp.Tasks;

namespace StepUp.Cli.Workflow;

/// <summary>
/// `stepup build` in a folder with a plan.py: asks the director (the one `dotnet build` uses) to
/// build a project whose only item is the planning step ./plan.py, prints its events as StepUp
/// does, and returns StepUp's return code. With --watch it stays after the build and serves
/// `stepup rebuild`, `wait`, `graph` and `join` through its <see cref="ControlServer"/>; with
/// --watch-first a change of a file of the project starts the next build too.
/// </summary>
sealed class BuildFrontEnd
{
    public const string PlanFile = "plan.py";

    readonly BuildSettings _settings;
    readonly PackageLayout _package;
    readonly EventPrinter _printer;
    readonly BuildLogs _logs;
    readonly string _root;
    readonly object _gate = new();
    readonly Channel<string> _commands = Channel.CreateUnbounded<string>();
    TaskCompletionSource _idle = NewIdle();
    Stream? _buildStream;
    bool _drainSent;
    readonly object _sendGate = new();
    bool _interrupted;
    bool _ending;
    int _watchPhase;
    readonly List<string> _graphPrefixes = new();

    public BuildFrontEnd(BuildSettings settings, PackageLayout package, string root, TextWriter output)
    {
        _settings = settings;
        _package = package;
        _root = root;
        _logs = new BuildLogs(root);
        _printer = new EventPrinter(output, _logs);
    }

    static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Run()
    {
        CheckPlan(Path.Combine(_root, PlanFile));
        using var control = ControlServer.Open(_root);
        control.Start(HandleAsync);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        ReturnCode code;
        while (true)
        {
            _logs.StartPhase();
            _printer.Line("PHASE", "build");
            code = BuildOnce(out var invalidTargets);
            // As StepUp's director, which refuses such targets before it serves anything: no watch.
            if (!_settings.Watch || _interrupted || invalidTargets || IsEnding()) break;
            _printer.Line("PHASE", "watch");
            EnterIdle();
            if (WaitForNextBuild() != "rebuild") break;
        }
        lock (_gate) _ending = true;
        EnterIdle();
        _printer.Line("DIRECTOR", "See you!");
        _printer.Finish();
        _logs.Dispose();
        return (int)code;
    }

    /// <summary>
    /// The command that ends the wait between builds: "rebuild" (also with -W after the first change
    /// of a file of the project), "join" or "shutdown".
    /// </summary>
    string WaitForNextBuild()
    {
        var phase = ++_watchPhase;
        using var watch = _settings.WatchFirst ? StartFirstChangeWatch(phase) : null;
        while (true)
        {
            var next = _commands.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
            if (next == ChangedCommand + phase) return "rebuild";
            // A change seen in an earlier wait whose build came from `stepup rebuild` meanwhile.
            if (!next.StartsWith(ChangedCommand, StringComparison.Ordinal)) return next;
        }
    }

    const string ChangedCommand = "changed ";

    FirstChangeWatch? StartFirstChangeWatch(int phase)
    {
        try
        {
            return new FirstChangeWatch(_root, IsNotTheProjects, (path, deleted) =>
            {
                lock (_gate)
                {
                    if (_ending) return;
                    // Busy from now on: a `stepup wait` that follows waits for the build this change starts.
                    if (_idle.Task.IsCompleted) _idle = NewIdle();
                }
                _printer.Line(deleted ? "DELETED" : "UPDATED", Path.GetRelativePath(_root, path));
            }, () => _commands.Writer.TryWrite(ChangedCommand + phase));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _printer.Line("WARNING", "-W cannot watch the files of " + _root + " (" + e.Message + "); `stepup rebuild` starts the next build.");
            return null;
        }
    }

    /// <summary>.stepup/ and the graph files that `stepup graph` asked for through this build are not the project's files.</summary>
    bool IsNotTheProjects(string fullPath)
    {
        var relative = Path.GetRelativePath(_root, fullPath);
        if (relative == ".stepup" || relative.StartsWith(".stepup" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return true;
        lock (_gate) return _graphPrefixes.Any(prefix => fullPath.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>As StepUp's director checks it before anything runs: a file, executable, starting with a shebang.</summary>
    void CheckPlan(string plan)
    {
        if (!File.Exists(plan))
            throw new CliException("there is no " + PlanFile + " in " + _root + ": `stepup build` runs the plan.py of the current folder (or of STEPUP_ROOT)");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(plan) & UnixFileMode.UserExecute) == 0)
            throw new CliException(PlanFile + " is not executable: run `chmod +x " + PlanFile + "`");
        using var reader = new StreamReader(plan);
        var first = reader.ReadLine() ?? "";
        if (!first.StartsWith("#!", StringComparison.Ordinal))
            throw new CliException(PlanFile + " does not start with a shebang line such as `#!/usr/bin/env python3`");
    }

    bool IsEnding()
    {
        lock (_gate) return _ending;
    }

    void EnterIdle()
    {
        lock (_gate) _idle.TrySetResult();
    }

    void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_gate)
        {
            _interrupted = true;
            _ending = true;
        }
        CancelBuild();
        _commands.Writer.TryWrite("shutdown");
    }

    void CancelBuild(bool drain = false)
    {
        Stream? stream;
        lock (_gate) stream = _buildStream;
        if (stream == null) return;
        try
        {
            lock (_sendGate) Framing.Write(stream, new CancelRequest { Drain = drain }.ToFrame());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    /// <summary>
    /// As StepUp 4's `stepup shutdown`: the first lets the steps that run finish and starts no
    /// more (the build is drained); a second one stops them.
    /// </summary>
    void ShutDown()
    {
        bool building, drain;
        lock (_gate)
        {
            _ending = true;
            building = _buildStream != null;
            drain = building && !_drainSent;
            if (drain) _drainSent = true;
        }
        if (drain) _printer.Line("DIRECTOR", "Waiting for steps to complete before shutdown.");
        if (building) CancelBuild(drain);
        _commands.Writer.TryWrite("shutdown");
    }

    /// <summary>One request of `stepup wait`, `join`, `rebuild`, `graph`, `shutdown` or `status`.</summary>
    async Task<(bool Ok, string Text)> HandleAsync(string verb, string argument)
    {
        Task idle;
        lock (_gate) idle = _idle.Task;
        switch (verb)
        {
            case "wait":
                await idle.ConfigureAwait(false);
                return (true, "");
            case "status":
                return (true, idle.IsCompleted ? (_settings.Watch ? "watching" : "done") : "building");
            case "graph":
                await idle.ConfigureAwait(false);
                return await Task.Run(() => WriteGraph(argument)).ConfigureAwait(false);
            case "rebuild":
                lock (_gate)
                {
                    if (_ending || !_settings.Watch) return (false, "this build does not watch (start it with `stepup build -w`)");
                    // Busy from now on: a `stepup wait` that follows waits for this build.
                    if (_idle.Task.IsCompleted) _idle = NewIdle();
                }
                _commands.Writer.TryWrite("rebuild");
                return (true, "");
            case "join":
                await idle.ConfigureAwait(false);
                lock (_gate) _ending = true;
                _commands.Writer.TryWrite("join");
                return (true, "");
            case "shutdown":
                ShutDown();
                return (true, "");
            default:
                return (false, "unknown request '" + verb + "'");
        }
    }

    (bool Ok, string Text) WriteGraph(string prefix)
    {
        lock (_gate) _graphPrefixes.Add(Path.GetFullPath(Path.Combine(_root, prefix)));
        try
        {
            var ok = GraphRequest.Write(_package, _root, prefix, _printer);
            return (ok, ok ? "" : "the director could not write the graph");
        }
        catch (CliException e)
        {
            return (false, e.Message);
        }
    }

    ReturnCode BuildOnce(out bool invalidTargets)
    {
        invalidTargets = false;
        var request = new BuildProjectRequest
        {
            Root = _root,
            Environment = CurrentEnvironment(),
            Jobs = _settings.Jobs,
            // Each project is a StepUp of its own, as with StepUp Core's director per project: its
            // -j is its own, whatever other projects the director builds at the same time.
            ShareJobs = false,
            KeepGoing = _settings.KeepGoing,
            Clean = _settings.Clean,
            Targets = _settings.Targets.ToList(),
            Resources = new Dictionary<string, int>(_settings.Resources, StringComparer.Ordinal),
            ExplainRerun = _settings.ExplainRerun,
            DeferCap = _settings.DeferCap,
            ItemsFollow = true,
            Transient = DirectorRequests.IsCi(),
        };
        var items = BootItems(_root);
        try
        {
            using var stream = DirectorRequests.Connect(_package);
            lock (_gate)
            {
                _buildStream = stream;
                _drainSent = false;
            }
            Framing.Write(stream, request.ToFrame());
            Framing.Write(stream, items);
            var outcome = DirectorRequests.Relay(stream, _printer);
            invalidTargets = outcome.InvalidTargets;
            if (outcome.Done is { } done && !invalidTargets) _printer.Line("DIRECTOR", $"Ran {done.Jobs} job(s).");
            return CodeOf(outcome);
        }
        catch (CliException e)
        {
            _printer.Line("ERROR", e.Message);
            return ReturnCode.Internal | (_interrupted ? ReturnCode.Interrupted : 0);
        }
        finally
        {
            lock (_gate) _buildStream = null;
            _printer.Finish();
        }
    }

    ReturnCode CodeOf(RelayOutcome outcome)
    {
        var code = ReturnCode.Success;
        if (_interrupted) code |= ReturnCode.Interrupted;
        var done = outcome.Done;
        if (done == null) return code | ReturnCode.Internal;
        // StepUp counts a refused target as a failure of the build, not as a problem of StepUp.
        if (outcome.InvalidTargets) return code | ReturnCode.Failed;
        if (done.Drained)
        {
            // As StepUp 4 after `stepup shutdown`: steps left pending by the drain are not reported, nor counted.
            code |= ReturnCode.Drained;
            if (done.Failed > 0) code |= ReturnCode.Failed;
            if (outcome.Warnings > 0) code |= ReturnCode.Warning;
            return code;
        }
        if (done.Failed > 0)
        {
            code |= ReturnCode.Failed;
            code |= _settings.KeepGoing ? (done.NotRun > 0 ? ReturnCode.Pending : 0) : ReturnCode.Drained;
        }
        else if (done.NotRun > 0)
        {
            code |= ReturnCode.Pending;
        }
        if (outcome.Warnings > 0) code |= ReturnCode.Warning;
        // A workflow error that stopped the build before any step could fail (a static file that is a folder now) drains it.
        if (!done.Success && done.Failed == 0 && done.NotRun == 0 && !_interrupted)
            code |= outcome.Drained ? ReturnCode.Drained : ReturnCode.Internal;
        return code;
    }

    /// <summary>The whole project: ./plan.py, a planning step without a shell (plan.py becomes its static input).</summary>
    static byte[] BootItems(string root)
    {
        using var writer = new ItemsFrame.Writer(256);
        writer.Add("Step", "", new[]
        {
            new KeyValuePair<string, string>("Command", "./" + PlanFile),
            new KeyValuePair<string, string>("Planning", "true"),
            // As StepUp 4 runs it: through the Python launcher, so that editing a local module that
            // plan.py imports plans again, and a traceback shows the frames that launched it.
            new KeyValuePair<string, string>("Shell", "false"),
        }, Path.Combine(root, PlanFile), 0, 0);
        return writer.Finish();
    }

    static Dictionary<string, string> CurrentEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = entry.Value as string ?? "";
        return environment;
    }
}
