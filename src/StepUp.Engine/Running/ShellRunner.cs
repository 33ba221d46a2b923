using System.Text;

namespace StepUp.Engine.Running;

/// <summary>
/// Runs each step command as `/bin/sh -c command label`, started by posix_spawn straight from the
/// director (<see cref="Spawn"/>) and reaped by one thread (<see cref="ChildReaper"/>): one vfork
/// and one exec per step, as ninja pays, with standard output and error in files.
/// Each job slot has a process group, led by a small /bin/sh that only waits for its pipe from the
/// director to close; a step and everything it starts run in its slot's group: cancelling kills
/// that group, and so does the <see cref="Watchdog"/> when the director dies, or the next director
/// when both died (<see cref="GroupLedger"/>). A group lives as long as a member does, so the
/// leader outlives the steps and the ledger changes only when a slot opens or closes.
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

    // A background job of a non-interactive shell ignores SIGINT and SIGQUIT, as reference.md says
    // a step does (a Ctrl-C meant for dotnet build must not reach it): the director stops steps with SIGKILL.
    const string IgnoreInterrupts = "trap '' INT QUIT; ";

    readonly Spawn.NativeBlock _env;
    readonly GroupLedger _ledger;
    readonly string _scratch;
    readonly Stack<Slot> _idle = new();
    readonly List<Slot> _all = new();
    readonly object _gate = new();
    long _nextJob;

    ShellRunner(IReadOnlyDictionary<string, string> env, GroupLedger ledger)
    {
        _env = new Spawn.NativeBlock(env.Select(v => v.Key + "=" + v.Value).ToList());
        _ledger = ledger;
        _scratch = ScratchFolder.Create();
    }

    /// <summary>Commands up to this length run as `sh -c command label` (Linux limits one argument to 128 KiB).</summary>
    const int MaxCommandArgument = 100 * 1024;

    /// <summary>
    /// Starts the step in an idle slot's group, synchronously; the reaper calls
    /// <see cref="IStepObserver.Finished"/> when it ends.
    /// </summary>
    public void Start(StepLaunch launch, IStepObserver observer)
    {
        var id = Interlocked.Increment(ref _nextJob);
        var script = Path.Combine(_scratch, id + ".sh");
        var stdout = Path.Combine(_scratch, id + ".out");
        var stderr = Path.Combine(_scratch, id + ".err");
        var (kind, text) = JobText(launch);
        string[] scratchFiles = kind == 's' ? [script, stdout, stderr] : [stdout, stderr];
        string[] argv = kind == 'c' ? ["sh", "-c", text, launch.Label] : ["sh", script];
        Slot slot;
        int pid;
        try
        {
            if (kind == 's') File.WriteAllText(script, text);
            (slot, pid) = StartInSlot(argv, stdout, stderr);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var file in scratchFiles) TryDelete(file);
            observer.Finished(new RunResult(-1, "", "", false, e.Message));
            return;
        }
        var ct = launch.Cancellation;
        // The step may end before its cancellation is registered: whoever comes second disposes it.
        var gate = new object();
        var ended = false;
        CancellationTokenRegistration registration = default;
        ChildReaper.Watch(pid, exitCode =>
        {
            lock (gate)
            {
                ended = true;
                registration.Dispose();
            }
            slot.Running = false;
            if (slot.Usable) Return(slot);
            else Retire(slot);
            var result = new RunResult(exitCode, ReadCapped(stdout), ReadCapped(stderr), ct.IsCancellationRequested, null);
            foreach (var file in scratchFiles) TryDelete(file);
            observer.Finished(result);
        });
        var r = ct.Register(slot.KillJob);
        lock (gate)
        {
            if (ended) r.Dispose();
            else registration = r;
        }
    }

    /// <summary>
    /// Starts the step in an idle slot, or a new one. A slot whose leader someone killed has no
    /// group to join any more (the spawn fails): it is closed and the step starts in a fresh slot.
    /// </summary>
    (Slot, int) StartInSlot(string[] argv, string stdout, string stderr)
    {
        for (var attempt = 0; ; attempt++)
        {
            var slot = Take();
            try
            {
                slot.Running = true;
                var pid = Spawn.Start("/bin/sh", argv, _env, slot.LeaderPid, Spawn.Stream.FromFile("/dev/null"),
                    Spawn.Stream.ToFile(stdout), Spawn.Stream.ToFile(stderr));
                return (slot, pid);
            }
            catch (IOException) when (attempt == 0 && !slot.LeaderAlive)
            {
                slot.Running = false;
                Retire(slot);
            }
            catch (IOException)
            {
                slot.Running = false;
                Return(slot);
                throw;
            }
        }
    }

    static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// What the shell runs for a step: kind c, the text of `sh -c text label`; kind s, a script, for
    /// what cannot be one argument (a command or environment near Linux's 128 KiB limit of one
    /// argument, a newline in a value that must stay on the command's first line). The shell names the step,
    /// never a file of ours, in what it says (`label: 1: pyhton3: not found`): the command runs as
    /// `sh -c command label`, which numbers its lines from the command's first, so whatever comes
    /// before the command (the workdir, the step's variables) shares that first line.
    /// </summary>
    static (char Kind, string Text) JobText(StepLaunch launch)
    {
        var oneLine = !launch.Workdir.Contains('\n') && launch.Environment.All(v => !v.Value.Contains('\n'));
        var text = new StringBuilder(IgnoreInterrupts);
        text.Append("cd -- ").Append(Quote(launch.Workdir)).Append(" 2>/dev/null || { echo ")
            .Append(Quote(launch.Label + ": cannot enter its workdir " + launch.Workdir)).Append(" >&2; exit 1; }");
        foreach (var (name, value) in launch.Environment) text.Append("; export ").Append(name).Append('=').Append(Quote(value));
        if (oneLine && text.Length + launch.Command.Length <= MaxCommandArgument)
            return ('c', text.Append("; ").Append(launch.Command).ToString());
        text.Append('\n');
        if (launch.Command.Length <= MaxCommandArgument)
            text.Append("exec /bin/sh -c ").Append(Quote(launch.Command)).Append(' ').Append(Quote(launch.Label)).Append('\n');
        else
            text.Append(launch.Command).Append('\n');
        return ('s', text.ToString());
    }

    Slot Take()
    {
        lock (_gate)
        {
            if (_idle.Count > 0) return _idle.Pop();
        }
        var slot = new Slot();
        lock (_gate) _all.Add(slot);
        Watchdog.Watch(slot.Group);
        _ledger.Add(slot.Group);
        return slot;
    }

    void Return(Slot slot)
    {
        lock (_gate) _idle.Push(slot);
    }

    /// <summary>A slot whose group was killed (its step was cancelled) or whose leader is gone.</summary>
    void Retire(Slot slot)
    {
        lock (_gate) _all.Remove(slot);
        slot.Dispose();
        Forget(slot);
    }

    void Forget(Slot slot)
    {
        Watchdog.Forget(slot.Group);
        try { _ledger.Remove(slot.Group); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\"'\"'") + "'";

    /// <summary>
    /// The output file, or its last <see cref="MaxCaptured"/> bytes when it is longer: the end of a
    /// failing step's output is where its reason is.
    /// </summary>
    static string ReadCapped(string path)
    {
        // Most steps write nothing: one stat instead of opening, locking and closing the file.
        if (Files.FileStamper.TryStat(path, out var stat) && stat.Size == 0) return "";
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
        List<Slot> all;
        lock (_gate) all = _all.ToList();
        foreach (var slot in all)
        {
            if (slot.Running) slot.KillJob();
            slot.Dispose();
            Forget(slot);
        }
        ScratchFolder.Delete(_scratch);
        // A step still being spawned would read the environment block: none is once every slot is idle.
        if (all.All(slot => !slot.Running)) _env.Dispose();
    }

    /// <summary>
    /// A job slot: the process group its steps run in, led by a /bin/sh that waits for its pipe
    /// from the director to close (when the slot closes, or the director dies) and then exits.
    /// </summary>
    sealed class Slot : IDisposable
    {
        static readonly string[] LeaderArgv = ["sh", "-c", "read -r _", "stepup-slot"];
        static readonly Spawn.NativeBlock NoEnvironment = new([]);

        int _pipe;
        volatile bool _leaderExited, _killed;

        public Slot()
        {
            var (read, write) = Spawn.Pipe();
            try
            {
                LeaderPid = Spawn.Start("/bin/sh", LeaderArgv, NoEnvironment, 0, Spawn.Stream.Descriptor(read),
                    Spawn.Stream.ToFile("/dev/null"), Spawn.Stream.ToFile("/dev/null"));
            }
            catch
            {
                Spawn.Close(write);
                throw;
            }
            finally
            {
                Spawn.Close(read);
            }
            _pipe = write;
            ChildReaper.Watch(LeaderPid, _ => _leaderExited = true);
            // Without /proc the group is known by its id alone.
            Group = ProcessGroup.LedBy(LeaderPid) ?? new ProcessGroup(LeaderPid, 0);
        }

        public int LeaderPid { get; }

        public ProcessGroup Group { get; }

        public volatile bool Running;

        public bool LeaderAlive => !_leaderExited;

        /// <summary>Whether the next step can join the group: nobody killed it and its leader still waits.</summary>
        public bool Usable => !_killed && !_leaderExited;

        /// <summary>Stops the running step and everything it started, with the slot's leader.</summary>
        public void KillJob()
        {
            _killed = true;
            Group.Kill();
        }

        public void Dispose()
        {
            var pipe = Interlocked.Exchange(ref _pipe, -1);
            if (pipe >= 0) Spawn.Close(pipe);
        }
    }
}
