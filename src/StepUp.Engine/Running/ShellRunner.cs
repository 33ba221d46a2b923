using System.Diagnostics;
using System.Text;

namespace StepUp.Engine.Running;

/// <summary>
/// Runs step commands through small persistent /bin/sh workers, one per job slot. Forking the
/// director (a large .NET process) for every step costs more than most steps; a worker shell forks
/// cheaply. Each job is a file (workdir, step variables, command) from which the worker starts one
/// `/bin/sh`, with standard output and error in files; it reports the exit code.
/// Each worker leads a session of its own (setsid), so a step and everything it starts stay in the
/// worker's process group: cancelling kills that group, and so does the <see cref="Watchdog"/> when
/// the director dies, or the next director when both died (<see cref="GroupLedger"/>).
/// </summary>
public sealed class ShellRunner : IStepRunner
{
    public static IStepRunnerFactory Factory { get; } = new ShellRunnerFactory();

    sealed class ShellRunnerFactory : IStepRunnerFactory
    {
        public IStepRunner Open(RunnerSite site)
        {
            var ledger = new GroupLedger(site.StateFolder);
            ledger.StopLeftovers(site.Events);
            return new ShellRunner(site.Environment, ledger);
        }
    }

    const int MaxCaptured = 1 << 20;

    // Reads "kind job out err" lines and runs each job, in the worker's process group. As a background
    // job of a non-interactive shell the job ignores SIGINT, as reference.md says.
    // Kind c: the job file holds the step's label on its first line and then the text for
    // `sh -c text label`, which the worker reads itself (builtins only): one exec per step, as ninja
    // pays, where a script that execs `sh -c` costs a second exec of the shell (6 ms of CPU per step
    // on a machine whose exec is slow). Kind s: the job file is a script, for what cannot be one
    // argument (a command or environment near Linux's 128 KiB limit of one argument, a newline in a
    // value that must stay on the command's first line).
    const string WorkerScript = """
        while read -r kind job out err; do
          if [ "$kind" = c ]; then
            { IFS= read -r label; text=; while IFS= read -r line; do text="$text$line
        "; done; text="$text$line"; } <"$job"
            /bin/sh -c "$text" "$label" >"$out" 2>"$err" </dev/null &
          else
            /bin/sh "$job" >"$out" 2>"$err" </dev/null &
          fi
          wait "$!"
          echo "done $?"
        done
        """;

    /// <summary>
    /// setsid(1) (util-linux, busybox) starts a worker as the leader of a new session and process
    /// group. Without it (not Linux) workers run in the director's group and cancelling kills the
    /// step's process tree instead.
    /// </summary>
    static readonly string? Setsid = new[] { "/usr/bin", "/bin" }
        .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        .Select(folder => Path.Combine(folder, "setsid")).FirstOrDefault(File.Exists);

    readonly IReadOnlyDictionary<string, string> _env;
    readonly GroupLedger _ledger;
    readonly string _scratch;
    readonly Stack<Worker> _idle = new();
    readonly List<Worker> _all = new();
    readonly object _gate = new();
    long _nextJob;

    ShellRunner(IReadOnlyDictionary<string, string> env, GroupLedger ledger)
    {
        _env = env;
        _ledger = ledger;
        _scratch = ScratchFolder.Create();
    }

    /// <summary>Commands up to this length run as `sh -c command label` (Linux limits one argument to 128 KiB).</summary>
    const int MaxCommandArgument = 100 * 1024;

    /// <summary>
    /// Writes the step's script and hands it to an idle worker, synchronously; the worker's reader
    /// calls <see cref="IStepObserver.Finished"/> when it ends: no hop through other threads between
    /// a step's end and the next step's start.
    /// </summary>
    public void Start(StepLaunch launch, IStepObserver observer)
    {
        var id = Interlocked.Increment(ref _nextJob);
        var script = Path.Combine(_scratch, id + ".sh");
        var stdout = Path.Combine(_scratch, id + ".out");
        var stderr = Path.Combine(_scratch, id + ".err");
        var (kind, text) = JobText(launch);
        Worker worker;
        try
        {
            File.WriteAllText(script, text);
            worker = Take();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            observer.Finished(new RunResult(-1, "", "", false, e.Message));
            return;
        }
        var ct = launch.Cancellation;
        // The job may end before its cancellation is registered: whoever comes second disposes it.
        var gate = new object();
        var ended = false;
        CancellationTokenRegistration registration = default;
        worker.Submit(kind, script, stdout, stderr, exitCode =>
        {
            lock (gate)
            {
                ended = true;
                registration.Dispose();
            }
            if (worker.Alive) Return(worker);
            else Retire(worker);
            var result = new RunResult(exitCode, ReadCapped(stdout), ReadCapped(stderr), ct.IsCancellationRequested,
                exitCode == WorkerLost ? "the shell that ran the step died" : null);
            foreach (var file in new[] { script, stdout, stderr })
            {
                try { File.Delete(file); } catch (IOException) { }
            }
            observer.Finished(result);
        });
        var r = ct.Register(worker.KillJob);
        lock (gate)
        {
            if (ended) r.Dispose();
            else registration = r;
        }
    }

    const int WorkerLost = -999;

    /// <summary>
    /// The job file of a step and its kind (see <see cref="WorkerScript"/>). The shell names the step,
    /// never a file of ours, in what it says (`label: 1: pyhton3: not found`): the command runs as
    /// `sh -c command label`, which numbers its lines from the command's first, so whatever comes
    /// before the command (the workdir, the step's variables) shares that first line.
    /// </summary>
    static (char Kind, string Text) JobText(StepLaunch launch)
    {
        var oneLine = !launch.Label.Contains('\n') && !launch.Workdir.Contains('\n') && launch.Environment.All(v => !v.Value.Contains('\n'));
        var text = new StringBuilder();
        if (oneLine) text.Append(launch.Label).Append('\n');
        var preludeStart = text.Length;
        text.Append("cd -- ").Append(Quote(launch.Workdir)).Append(" 2>/dev/null || { echo ")
            .Append(Quote(launch.Label + ": cannot enter its workdir " + launch.Workdir)).Append(" >&2; exit 1; }");
        foreach (var (name, value) in launch.Environment) text.Append("; export ").Append(name).Append('=').Append(Quote(value));
        if (oneLine && text.Length - preludeStart + launch.Command.Length <= MaxCommandArgument)
            return ('c', text.Append("; ").Append(launch.Command).ToString());
        if (oneLine) text.Remove(0, preludeStart);
        text.Append('\n');
        if (launch.Command.Length <= MaxCommandArgument)
            text.Append("exec /bin/sh -c ").Append(Quote(launch.Command)).Append(' ').Append(Quote(launch.Label)).Append('\n');
        else
            text.Append(launch.Command).Append('\n');
        return ('s', text.ToString());
    }

    Worker Take()
    {
        lock (_gate)
        {
            if (_idle.Count > 0) return _idle.Pop();
        }
        var worker = new Worker(_env);
        lock (_gate) _all.Add(worker);
        if (worker.Group is { } group)
        {
            Watchdog.Watch(group);
            _ledger.Add(group);
        }
        return worker;
    }

    void Return(Worker worker)
    {
        lock (_gate) _idle.Push(worker);
    }

    /// <summary>A worker that died (its job was cancelled): its group is gone and needs no watching.</summary>
    void Retire(Worker worker)
    {
        lock (_gate) _all.Remove(worker);
        worker.Dispose();
        Forget(worker);
    }

    void Forget(Worker worker)
    {
        if (worker.Group is not { } group) return;
        Watchdog.Forget(group);
        try { _ledger.Remove(group); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\"'\"'") + "'";

    /// <summary>
    /// The output file, or its last <see cref="MaxCaptured"/> bytes when it is longer: the end of a
    /// failing step's output is where its reason is.
    /// </summary>
    static string ReadCapped(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            if (stream.Length == 0) return "";
            var dropped = Math.Max(0, stream.Length - MaxCaptured);
            stream.Seek(dropped, SeekOrigin.Begin);
            var buffer = new byte[stream.Length - dropped];
            stream.ReadExactly(buffer, 0, buffer.Length);
            if (dropped == 0) return Encoding.UTF8.GetString(buffer);
            // Start at a character (not inside a UTF-8 sequence) and say what was left out.
            var start = 0;
            while (start < buffer.Length && (buffer[start] & 0xC0) == 0x80) start++;
            return $"[output truncated: its first {dropped + start} bytes are left out]\n" + Encoding.UTF8.GetString(buffer, start, buffer.Length - start);
        }
        catch (IOException) { return ""; }
    }

    public void Dispose()
    {
        List<Worker> all;
        lock (_gate) all = _all.ToList();
        foreach (var worker in all)
        {
            worker.Dispose();
            Forget(worker);
        }
        ScratchFolder.Delete(_scratch);
    }

    /// <summary>One /bin/sh process, leader of its own process group, that runs jobs one after another.</summary>
    sealed class Worker : IDisposable
    {
        readonly Process _process;
        Action<int>? _job;
        volatile bool _lost;

        public Worker(IReadOnlyDictionary<string, string> env)
        {
            var psi = new ProcessStartInfo(Setsid ?? "/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            if (Setsid != null) psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(WorkerScript);
            psi.Environment.Clear();
            foreach (var (name, value) in env) psi.Environment[name] = value;
            _process = Process.Start(psi) ?? throw new IOException("could not start /bin/sh");
            // setsid runs the shell in its own process (it forks only when started as a group leader, never here).
            Group = Setsid != null ? ProcessGroup.LedBy(_process.Id) : null;
            _ = Task.Run(ReadLoop);
        }

        /// <summary>The worker's process group; null without setsid or /proc.</summary>
        public ProcessGroup? Group { get; }

        public bool Alive => !_lost;

        public void Submit(char kind, string job, string stdout, string stderr, Action<int> done)
        {
            _job = done;
            try
            {
                _process.StandardInput.Write($"{kind} {job} {stdout} {stderr}\n");
                _process.StandardInput.Flush();
            }
            catch (IOException)
            {
                Finish(WorkerLost);
            }
        }

        void Finish(int exitCode) => Interlocked.Exchange(ref _job, null)?.Invoke(exitCode);

        /// <summary>Stops the running job and everything it started, with the worker itself.</summary>
        public void KillJob()
        {
            if (_lost) return;
            if (Group is { } group) group.Kill();
            else
                try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }

        async Task ReadLoop()
        {
            try
            {
                while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                    if (line.StartsWith("done ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(5), out var code)) Finish(code);
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
            _lost = true;
            Finish(WorkerLost);
        }

        public void Dispose()
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(2000))
            {
                KillJob();
                _process.WaitForExit(2000);
            }
            _process.Dispose();
        }
    }
}
