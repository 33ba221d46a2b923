using System.Diagnostics;
using System.Text;

namespace StepUp.Engine.Building;

/// <summary>The result of running one command.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr, bool Cancelled, string? StartError);

/// <summary>
/// Runs step commands through small persistent /bin/sh workers, one per job slot. Forking the
/// director (a large .NET process) for every step costs more than most steps; a worker shell forks
/// cheaply. Each job is a script file (workdir, step variables, command) that the worker runs as
/// `/bin/sh script`, with standard output and error in files; it reports the pid, then the exit code.
/// </summary>
public sealed class ShellWorkers : IDisposable
{
    const int MaxCaptured = 1 << 20;

    // Reads "id script out err" lines; runs each job in the background to learn its pid, then waits.
    const string WorkerScript = """
        while read -r id script out err; do
          /bin/sh "$script" >"$out" 2>"$err" </dev/null &
          pid=$!
          echo "started $id $pid"
          wait "$pid"
          echo "done $id $?"
        done
        """;

    readonly IReadOnlyDictionary<string, string> _env;
    readonly string _scratch;
    readonly Stack<Worker> _idle = new();
    readonly List<Worker> _all = new();
    readonly object _gate = new();
    long _nextJob;

    public ShellWorkers(IReadOnlyDictionary<string, string> env)
    {
        _env = env;
        var shm = "/dev/shm";
        var parent = Directory.Exists(shm) ? shm : Path.GetTempPath();
        _scratch = Path.Combine(parent, "stepup-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(_scratch);
        else Directory.CreateDirectory(_scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// Starts <paramref name="command"/> in <paramref name="workdir"/> with extra variables for this step,
    /// synchronously, and calls <paramref name="done"/> from the worker's reader when it ends: no hop
    /// through other threads between a step's end and the next step's start.
    /// </summary>
    public void Start(string command, string workdir, IReadOnlyDictionary<string, string> stepEnv, CancellationToken ct, Action<RunResult> done)
    {
        var id = Interlocked.Increment(ref _nextJob);
        var script = Path.Combine(_scratch, id + ".sh");
        var stdout = Path.Combine(_scratch, id + ".out");
        var stderr = Path.Combine(_scratch, id + ".err");
        var text = new StringBuilder();
        text.Append("cd -- ").Append(Quote(workdir)).Append(" || exit 1\n");
        foreach (var (name, value) in stepEnv) text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        text.Append(command).Append('\n');
        Worker worker;
        try
        {
            File.WriteAllText(script, text.ToString());
            worker = Take();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            done(new RunResult(-1, "", "", false, e.Message));
            return;
        }
        // The job may end before its cancellation is registered: whoever comes second disposes it.
        var gate = new object();
        var ended = false;
        CancellationTokenRegistration registration = default;
        worker.Submit(id, script, stdout, stderr, exitCode =>
        {
            lock (gate)
            {
                ended = true;
                registration.Dispose();
            }
            if (worker.Alive) Return(worker);
            var result = new RunResult(exitCode, ReadCapped(stdout), ReadCapped(stderr), ct.IsCancellationRequested,
                exitCode == WorkerLost ? "the shell that ran the step died" : null);
            foreach (var file in new[] { script, stdout, stderr })
            {
                try { File.Delete(file); } catch (IOException) { }
            }
            done(result);
        });
        var r = ct.Register(worker.KillJob);
        lock (gate)
        {
            if (ended) r.Dispose();
            else registration = r;
        }
    }

    const int WorkerLost = -999;

    Worker Take()
    {
        lock (_gate)
        {
            if (_idle.Count > 0) return _idle.Pop();
        }
        var worker = new Worker(_env);
        lock (_gate) _all.Add(worker);
        return worker;
    }

    void Return(Worker worker)
    {
        lock (_gate) _idle.Push(worker);
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\"'\"'") + "'";

    static string ReadCapped(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            if (stream.Length == 0) return "";
            var length = (int)Math.Min(stream.Length, MaxCaptured);
            var buffer = new byte[length];
            stream.ReadExactly(buffer, 0, length);
            var text = Encoding.UTF8.GetString(buffer);
            return stream.Length > MaxCaptured ? text + $"\n[output truncated at {MaxCaptured} bytes]\n" : text;
        }
        catch (IOException) { return ""; }
    }

    public void Dispose()
    {
        List<Worker> all;
        lock (_gate) all = _all.ToList();
        foreach (var worker in all) worker.Dispose();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>One /bin/sh process that runs jobs one after another.</summary>
    sealed class Worker : IDisposable
    {
        readonly Process _process;
        readonly Task _reader;
        Action<int>? _job;
        int _pid;
        int _killRequested;

        public Worker(IReadOnlyDictionary<string, string> env)
        {
            var psi = new ProcessStartInfo("/bin/sh")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(WorkerScript);
            psi.Environment.Clear();
            foreach (var (name, value) in env) psi.Environment[name] = value;
            _process = Process.Start(psi) ?? throw new IOException("could not start /bin/sh");
            _reader = Task.Run(ReadLoop);
        }

        public bool Alive => !_process.HasExited;

        public void Submit(long id, string script, string stdout, string stderr, Action<int> done)
        {
            Interlocked.Exchange(ref _pid, 0);
            Interlocked.Exchange(ref _killRequested, 0);
            _job = done;
            try
            {
                _process.StandardInput.Write($"{id} {script} {stdout} {stderr}\n");
                _process.StandardInput.Flush();
            }
            catch (IOException)
            {
                Finish(WorkerLost);
            }
        }

        void Finish(int exitCode) => Interlocked.Exchange(ref _job, null)?.Invoke(exitCode);

        /// <summary>Stops the running job and everything it started, now or as soon as its pid is known.</summary>
        public void KillJob()
        {
            // Full fences on both sides: either this sees the pid, or the reader sees the request.
            Interlocked.Exchange(ref _killRequested, 1);
            Kill(Volatile.Read(ref _pid));
        }

        static void Kill(int pid)
        {
            if (pid <= 0) return;
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }

        async Task ReadLoop()
        {
            try
            {
                while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    var parts = line.Split(' ');
                    if (parts.Length != 3) continue;
                    if (parts[0] == "started" && int.TryParse(parts[2], out var pid))
                    {
                        Interlocked.Exchange(ref _pid, pid);
                        if (Volatile.Read(ref _killRequested) == 1) Kill(pid);
                    }
                    else if (parts[0] == "done" && int.TryParse(parts[2], out var code))
                    {
                        // The pid may be reused by anyone from now on: never kill it again.
                        Interlocked.Exchange(ref _pid, 0);
                        Finish(code);
                    }
                }
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
            Finish(WorkerLost);
        }

        public void Dispose()
        {
            KillJob();
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(2000))
                try { _process.Kill(); } catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
