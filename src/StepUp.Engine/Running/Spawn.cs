using System.Runtime.InteropServices;
using System.Text;

namespace StepUp.Engine.Running;

/// <summary>
/// posix_spawn(3) from the director: glibc starts the child with clone(CLONE_VM | CLONE_VFORK), so
/// its cost does not grow with the director's size, and no worker shell forks in between. This is
/// what ninja pays per step, and the least a process costs. Linux (glibc) constants.
/// </summary>
static unsafe partial class Spawn
{
    const short SetProcessGroup = 0x02, SetSignalDefaults = 0x04, SetSignalMask = 0x08;
    const int OpenWriteCreateTruncate = 0x1 | 0x40 | 0x200, OpenRead = 0;
    const int OwnerReadWrite = 0x180;

    // glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80 on 64-bit Linux; sigset_t 128.
    const int AttributesSize = 1024, FileActionsSize = 512, SignalSetSize = 256;

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int PosixSpawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttributesInit(void* attributes);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttributesDestroy(void* attributes);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int SetFlags(void* attributes, short flags);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    private static partial int SetGroup(void* attributes, int group);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int SetMask(void* attributes, void* set);
    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int SetDefaults(void* attributes, void* set);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int ActionsInit(void* actions);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int ActionsDestroy(void* actions);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int AddOpen(void* actions, int fd, byte* path, int flags, int mode);
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int AddDup2(void* actions, int fd, int target);
    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);
    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int fd);
    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SignalsEmpty(void* set);
    [LibraryImport("libc", EntryPoint = "sigfillset")]
    private static partial int SignalsFill(void* set);

    /// <summary>Where the child's standard streams go: a file opened afresh, or an open descriptor of the director.</summary>
    public readonly record struct Stream(string? Path, int Fd, bool Write)
    {
        public static Stream ToFile(string path) => new(path, -1, true);
        public static Stream FromFile(string path) => new(path, -1, false);
        public static Stream Descriptor(int fd) => new(null, fd, false);
    }

    /// <summary>
    /// Starts <paramref name="argv"/>[0]'s program at <paramref name="path"/> in process group
    /// <paramref name="group"/> (0: a new group that the child leads; <see cref="DirectorGroup"/>:
    /// the director's own), with every signal at its
    /// default and none blocked (the director's runtime ignores SIGPIPE and blocks others).
    /// Returns the pid, or throws <see cref="IOException"/> with the reason.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, NativeBlock environment, int group,
        Stream stdin, Stream stdout, Stream stderr)
    {
        using var strings = new NativeBlock([path, .. argv, .. new[] { stdin.Path, stdout.Path, stderr.Path }.OfType<string>()]);
        var attributes = stackalloc byte[AttributesSize];
        var actions = stackalloc byte[FileActionsSize];
        var signals = stackalloc byte[SignalSetSize];
        AttributesInit(attributes);
        ActionsInit(actions);
        try
        {
            SetFlags(attributes, (short)((group == DirectorGroup ? 0 : SetProcessGroup) | SetSignalDefaults | SetSignalMask));
            if (group != DirectorGroup) SetGroup(attributes, group);
            SignalsFill(signals);
            SetDefaults(attributes, signals);
            SignalsEmpty(signals);
            SetMask(attributes, signals);
            var next = 1 + argv.Count;
            foreach (var (fd, stream) in new[] { (0, stdin), (1, stdout), (2, stderr) })
            {
                var rc = stream.Path != null
                    ? AddOpen(actions, fd, strings.Pointers[next++], stream.Write ? OpenWriteCreateTruncate : OpenRead, OwnerReadWrite)
                    : AddDup2(actions, stream.Fd, fd);
                if (rc != 0) throw new IOException("could not prepare the start of " + path + ": " + Marshal.GetPInvokeErrorMessage(rc));
            }
            // The streams' paths follow argv in the block: argv gets an array of its own, null-ended.
            var args = stackalloc byte*[argv.Count + 1];
            for (var i = 0; i < argv.Count; i++) args[i] = strings.Pointers[1 + i];
            args[argv.Count] = null;
            var error = PosixSpawn(out var pid, strings.Pointers[0], actions, attributes, args, environment.Pointers);
            if (error != 0) throw new IOException("could not start " + path + ": " + Marshal.GetPInvokeErrorMessage(error), error);
            return pid;
        }
        finally
        {
            ActionsDestroy(actions);
            AttributesDestroy(attributes);
        }
    }

    /// <summary>The group argument of <see cref="Start"/> for a child that stays in the director's process group.</summary>
    public const int DirectorGroup = -1;

    const int CloseOnExec = 0x80000;

    /// <summary>A pipe whose ends no child inherits unless it is handed to it as a standard stream.</summary>
    public static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (Pipe2(fds, CloseOnExec) != 0) throw new IOException("could not create a pipe: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        return (fds[0], fds[1]);
    }

    public static void Close(int fd) => CloseDescriptor(fd);

    /// <summary>Strings as one native block of NUL-ended UTF-8, with a null-ended array of pointers to them (argv, envp).</summary>
    public sealed class NativeBlock : IDisposable
    {
        readonly byte* _memory;

        public NativeBlock(IReadOnlyList<string> strings)
        {
            var bytes = 0;
            foreach (var s in strings) bytes += Encoding.UTF8.GetByteCount(s) + 1;
            var table = (strings.Count + 1) * sizeof(byte*);
            _memory = (byte*)NativeMemory.Alloc((nuint)(table + bytes));
            Pointers = (byte**)_memory;
            var at = _memory + table;
            for (var i = 0; i < strings.Count; i++)
            {
                Pointers[i] = at;
                var written = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(at, bytes));
                at[written] = 0;
                at += written + 1;
                bytes -= written + 1;
            }
            Pointers[strings.Count] = null;
        }

        public byte** Pointers { get; }

        public void Dispose() => NativeMemory.Free(_memory);
    }
}
