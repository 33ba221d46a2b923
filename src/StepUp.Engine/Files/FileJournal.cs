using System.Runtime.InteropServices;
using System.Text;
using StepUp.Engine.Graph;

namespace StepUp.Engine.Files;

/// <summary>
/// What changed on disk between two builds of a warm director, so that a refresh stats the files
/// that changed instead of every file (O(changed), as a no-op should be). An inotify instance
/// watches the folders of the graph's files; the kernel queues an event within the very system
/// call that changes a file, so draining the queue at the start of a build sees every change made
/// before it. Nothing reads the queue between builds, and no thread runs: a queue that overflows
/// (a build writes many files) only means that the next refresh stats every file, as without a
/// journal, and watches afresh.
/// Files it cannot vouch for are stated at every refresh: those outside the root, symbolic links
/// (their target may change elsewhere), files in folders it cannot watch (missing ones, those on
/// a network file system, whose other clients raise no events here). A watched folder that is
/// moved, deleted or replaced, or a lost event, makes the next refresh a full one. Linux only.
/// </summary>
public sealed unsafe partial class FileJournal : IDisposable
{
    const int InNonBlock = 0x800, InCloseOnExec = 0x80000;
    const uint InModify = 0x2, InAttrib = 0x4, InMovedFrom = 0x40, InMovedTo = 0x80, InCreate = 0x100, InDelete = 0x200;
    const uint InDeleteSelf = 0x400, InMoveSelf = 0x800, InUnmount = 0x2000, InQueueOverflow = 0x4000, InIgnored = 0x8000;
    const uint InOnlyDir = 0x01000000;
    const uint Mask = InModify | InAttrib | InMovedFrom | InMovedTo | InCreate | InDelete | InDeleteSelf | InMoveSelf | InOnlyDir;
    const uint Lost = InDeleteSelf | InMoveSelf | InUnmount | InQueueOverflow | InIgnored;
    const int TryAgain = 11, NoSpace = 28;
    const int BufferSize = 64 * 1024;
    const int SmallChange = 4096;

    /// <summary>At most this many projects of one director keep a journal at once; the others refresh in full.</summary>
    const int MaxInstances = 16;
    static int _instances;

    // Local file systems, where every change is made by this kernel and raises its events (statfs f_type).
    static readonly HashSet<long> LocalFileSystems =
    [
        0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x794C7630, 0x2FC12FC1, 0xF2F52010, 0x858458F6,
    ];

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit(int flags);
    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    private static partial int AddWatch(int fd, byte* path, uint mask);
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, byte* buffer, nuint count);
    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true)]
    private static partial int StatFs(byte* path, byte* buffer);

    readonly string _root;
    readonly HashSet<string> _watched = new(StringComparer.Ordinal);
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _watchedBySpan;
    readonly HashSet<string> _unwatchable = new(StringComparer.Ordinal);
    readonly Dictionary<int, string> _folders = new();
    readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    readonly HashSet<FileNode> _alwaysStat = new(ReferenceEqualityComparer.Instance);
    readonly List<FileNode> _flagged = new();
    int _fd = -1;
    bool _valid;
    bool _unusable;

    FileJournal(string root)
    {
        _root = root;
        _watchedBySpan = _watched.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A journal of the root, or null where there can be none (not Linux, a network file system).</summary>
    public static FileJournal? TryCreate(string root)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var journal = new FileJournal(Path.GetFullPath(root).TrimEnd('/'));
        return IsLocal(Terminated(journal._root)) ? journal : null;
    }

    /// <summary>The next refresh stats every file: the graph was loaded again, or changed behind the journal's back.</summary>
    public void Invalidate() => _valid = false;

    /// <summary>
    /// Forgets every event and watches the folders of <paramref name="files"/> afresh; called before
    /// the full refresh stats them, so that whatever changes after its stat raises an event.
    /// </summary>
    public void Arm(IReadOnlyList<FileNode> files)
    {
        CloseInstance();
        _alwaysStat.Clear();
        _flagged.Clear();
        _valid = false;
        if (_unusable) return;
        // inotify instances are few per user (128 by default) and editors need theirs too.
        if (Interlocked.Increment(ref _instances) > MaxInstances)
        {
            Interlocked.Decrement(ref _instances);
            return;
        }
        _fd = InotifyInit(InNonBlock | InCloseOnExec);
        if (_fd < 0)
        {
            Interlocked.Decrement(ref _instances);
            _unusable = true;
            return;
        }
        _valid = true;
        foreach (var file in files)
        {
            if (!Watch(file)) _alwaysStat.Add(file);
            if (_unusable) break;
        }
        if (_unusable) CloseInstance();
    }

    /// <summary>
    /// After a build, before the next request (which waits for it): watches afresh, then compares
    /// each file's stat with what the graph recorded, so that the next refresh stats only the files
    /// that differ and those changed since. It reads the graph and changes only its list of touched
    /// files, which the comparison covers.
    /// </summary>
    /// <returns>How many files differ from the graph's record; -1 when the journal kept watching as it was, or cannot watch.</returns>
    public int Prepare(ProjectGraph graph)
    {
        // A journal the system refused watches for: every refresh is a full one, with nothing to prepare.
        if (_unusable) return -1;
        // Still vouching, and the build changed little: the next refresh states what it changed, no more.
        if (_valid && graph.TouchedCount <= SmallChange && Drain(graph.Files.Count) && _changed.Count <= SmallChange)
            return -1;
        graph.TakeTouched();
        var files = FileRefresher.RefreshedFiles(graph);
        var flagged = _flagged.ToArray();
        Arm(files);
        _flagged.AddRange(flagged);
        if (!_valid) return 0;
        var differs = new bool[files.Length];
        var links = new bool[files.Length];
        Parallel.For(0, files.Length, FileRefresher.StatParallelism(files.Length), i =>
        {
            var known = files[i].Stamp;
            var exists = FileStamper.TryStat(Planning.PathRules.FullPath(_root, files[i].Path), out var now, out links[i]);
            differs[i] = exists ? known is not { Exists: true } || !known.SameStat(now) : known is { Exists: true };
        });
        var count = 0;
        for (var i = 0; i < files.Length; i++)
        {
            if (links[i]) _alwaysStat.Add(files[i]);
            if (!differs[i]) continue;
            _changed.Add(files[i].Path);
            count++;
        }
        return count;
    }

    /// <summary>
    /// The files to stat in this refresh: those whose names had events, those the graph changed
    /// since the last refresh (<paramref name="touched"/>), and those stated every time. False when
    /// the journal cannot tell (then the refresh stats every file, and arms it again).
    /// </summary>
    public bool TryTake(ProjectGraph graph, List<FileNode> touched, out FileNode[] files)
    {
        files = [];
        if (!_valid || _unusable || !Drain(graph.Files.Count)) return _valid = false;
        var take = new HashSet<FileNode>(ReferenceEqualityComparer.Instance);
        foreach (var path in _changed)
            if (graph.FindFile(path) is { } file && FileRefresher.IsRefreshed(file)) take.Add(file);
        _changed.Clear();
        foreach (var file in touched)
        {
            if (!Current(graph, file) || !FileRefresher.IsRefreshed(file)) continue;
            // A file new to the graph, maybe in a folder not watched yet: watched before its stat.
            if (!Watch(file)) _alwaysStat.Add(file);
            if (_unusable) return _valid = false;
            take.Add(file);
        }
        _alwaysStat.RemoveWhere(file => !Current(graph, file));
        foreach (var file in _alwaysStat)
            if (FileRefresher.IsRefreshed(file)) take.Add(file);
        // Files the last refresh found edited with the same content: stated again, so that the flag goes.
        foreach (var file in _flagged)
            if (Current(graph, file) && FileRefresher.IsRefreshed(file)) take.Add(file);
        _flagged.Clear();
        files = take.ToArray();
        return true;
    }

    /// <summary>What the refresh learned of the files it stated: which are symbolic links, which it found edited with the same content.</summary>
    public void Stated(FileNode file, bool symbolicLink)
    {
        if (symbolicLink) _alwaysStat.Add(file);
        if (file.EditedSameContent) _flagged.Add(file);
    }

    static bool Current(ProjectGraph graph, FileNode file) => ReferenceEquals(graph.FindFile(file.Path), file);

    /// <summary>Watches the folders from the file's up to the root; false when the file's changes would not raise events here.</summary>
    bool Watch(FileNode file)
    {
        var path = file.Path;
        if (path.StartsWith('/') || path.StartsWith("../", StringComparison.Ordinal) || path == "..") return false;
        var end = path.LastIndexOf('/');
        while (true)
        {
            var folder = end < 0 ? ReadOnlySpan<char>.Empty : path.AsSpan(0, end);
            if (_watchedBySpan.Contains(folder)) return true;
            var name = folder.ToString();
            if (_unwatchable.Contains(name) || !AddFolder(name)) return false;
            if (end < 0) return true;
            end = path.LastIndexOf('/', end - 1);
        }
    }

    bool AddFolder(string folder)
    {
        var path = Terminated(folder.Length == 0 ? _root : _root + "/" + folder);
        var wd = -1;
        if (IsLocal(path))
        {
            fixed (byte* p = path) wd = AddWatch(_fd, p, Mask);
            if (wd < 0 && Marshal.GetLastPInvokeError() == NoSpace) _unusable = true;
        }
        if (wd < 0)
        {
            _unwatchable.Add(folder);
            return false;
        }
        _watched.Add(folder);
        _folders[wd] = folder;
        return true;
    }

    static byte[] Terminated(string path) => Encoding.UTF8.GetBytes(path + "\0");

    static bool IsLocal(byte[] bytes)
    {
        var buffer = stackalloc byte[256];
        int rc;
        fixed (byte* p = bytes) rc = StatFs(p, buffer);
        // struct statfs starts with f_type (a long on 64-bit Linux).
        return rc == 0 && LocalFileSystems.Contains(*(long*)buffer);
    }

    /// <summary>Reads every queued event into <see cref="_changed"/>; false when one was lost or a watched folder changed.</summary>
    bool Drain(int fileCount)
    {
        var buffer = (byte*)NativeMemory.Alloc(BufferSize);
        try
        {
            while (true)
            {
                var n = Read(_fd, buffer, BufferSize);
                if (n < 0) return Marshal.GetLastPInvokeError() == TryAgain;
                if (n == 0) return false;
                for (var at = 0; at < n;)
                {
                    var wd = *(int*)(buffer + at);
                    var mask = *(uint*)(buffer + at + 4);
                    var length = *(uint*)(buffer + at + 12);
                    var name = buffer + at + 16;
                    at += 16 + (int)length;
                    if ((mask & Lost) != 0 || !_folders.TryGetValue(wd, out var folder)) return false;
                    if (length == 0) continue;
                    var nameLength = 0;
                    while (nameLength < length && name[nameLength] != 0) nameLength++;
                    var entry = Encoding.UTF8.GetString(name, nameLength);
                    var path = folder.Length == 0 ? entry : folder + "/" + entry;
                    // A watched folder renamed, removed or replaced (by a symbolic link, say): its files' paths lead elsewhere now.
                    if (_watched.Contains(path)) return false;
                    _changed.Add(path);
                }
                // So many changes: a full refresh costs no more.
                if (_changed.Count > fileCount / 2 + 1024) return false;
            }
        }
        finally { NativeMemory.Free(buffer); }
    }

    void CloseInstance()
    {
        if (_fd >= 0)
        {
            Close(_fd);
            Interlocked.Decrement(ref _instances);
        }
        _fd = -1;
        _watched.Clear();
        _folders.Clear();
        _unwatchable.Clear();
        _changed.Clear();
    }

    public void Dispose() => CloseInstance();
}
