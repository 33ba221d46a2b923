using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace StepUp.Engine.Running;

/// <summary>
/// Waits for the children that <see cref="Spawn"/> started, all of them on one thread: each child
/// has a pidfd (Linux 5.3), which turns readable when it exits, and the thread polls them all, then
/// reaps the child (waitpid on its pid only: the runtime reaps the children of its Process class
/// itself, and nothing here may take those). Without pidfds, a thread per child waits instead.
/// </summary>
static unsafe partial class ChildReaper
{
    const int NoHang = 1;
    const int PollIn = 0x1;
    const int PidfdOpen = 434;
    const int EventCloseOnExec = 0x80000, EventNonBlocking = 0x800;

    [StructLayout(LayoutKind.Sequential)]
    struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b);
    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);

    sealed record Child(int Pid, int Pidfd, Action<int> Exited);

    static readonly ConcurrentQueue<Child> Arrivals = new();
    static readonly Lock Gate = new();
    static int _wake = -1;
    static Thread? _thread;

    /// <summary>
    /// Calls <paramref name="exited"/> once the child ends, with its exit code (128 + the signal
    /// that killed it, as the shell says), on the reaper's thread: it must return quickly.
    /// </summary>
    public static void Watch(int pid, Action<int> exited)
    {
        var pidfd = OperatingSystem.IsLinux() ? (int)Syscall(PidfdOpen, pid, 0) : -1;
        if (pidfd < 0 || !EnsureThread())
        {
            if (pidfd >= 0) Spawn.Close(pidfd);
            new Thread(() => exited(WaitBlocking(pid))) { IsBackground = true, Name = "stepup-wait-" + pid }.Start();
            return;
        }
        Arrivals.Enqueue(new Child(pid, pidfd, exited));
        long one = 1;
        Write(_wake, &one, sizeof(long));
    }

    static bool EnsureThread()
    {
        if (_thread != null) return _wake >= 0;
        lock (Gate)
        {
            if (_thread != null) return _wake >= 0;
            _wake = EventFd(0, EventCloseOnExec | EventNonBlocking);
            _thread = new Thread(Loop) { IsBackground = true, Name = "stepup-reaper" };
            if (_wake >= 0) _thread.Start();
            return _wake >= 0;
        }
    }

    static void Loop()
    {
        var children = new List<Child>();
        var fds = new PollFd[8];
        while (true)
        {
            while (Arrivals.TryDequeue(out var child)) children.Add(child);
            if (fds.Length < children.Count + 1) fds = new PollFd[Math.Max(fds.Length * 2, children.Count + 1)];
            fds[0] = new PollFd { Fd = _wake, Events = PollIn };
            for (var i = 0; i < children.Count; i++) fds[i + 1] = new PollFd { Fd = children[i].Pidfd, Events = PollIn };
            int ready;
            fixed (PollFd* p = fds) ready = Poll(p, (nuint)(children.Count + 1), -1);
            if (ready <= 0) continue;
            if (fds[0].Revents != 0)
            {
                long count;
                Read(_wake, &count, sizeof(long));
            }
            for (var i = children.Count - 1; i >= 0; i--)
            {
                if (fds[i + 1].Revents == 0) continue;
                var child = children[i];
                int status;
                if (WaitPid(child.Pid, &status, NoHang) != child.Pid) continue;
                children.RemoveAt(i);
                Spawn.Close(child.Pidfd);
                child.Exited(ExitCode(status));
            }
        }
    }

    static int WaitBlocking(int pid)
    {
        int status;
        while (WaitPid(pid, &status, 0) != pid)
            if (Marshal.GetLastPInvokeError() != 4) return -1; // EINTR: again; anything else: not ours to wait for
        return ExitCode(status);
    }

    static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}
