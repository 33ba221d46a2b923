using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace StepUp.Engine.Files;

/// <summary>
/// Stamps files: one stat call, and SHA-256 of the content only when the stat data differs from
/// a known stamp (the size/mtime/ctime/inode shortcut).
/// </summary>
public static class FileStamper
{
    /// <summary>Stamps <paramref name="fullPath"/>, reusing <paramref name="known"/>'s digest when the stat data matches.</summary>
    public static FileStamp Stamp(string fullPath, FileStamp? known = null, bool trustStat = true) =>
        Stamp(fullPath, known, trustStat, out _);

    /// <param name="symbolicLink">Gets whether the path itself is a symbolic link (seen on Linux only).</param>
    public static FileStamp Stamp(string fullPath, FileStamp? known, bool trustStat, out bool symbolicLink)
    {
        if (!TryStat(fullPath, out var stat, out symbolicLink)) return FileStamp.Missing;
        if (trustStat && known != null && known.Exists && known.SameStat(stat)) return known;
        Digest digest;
        try
        {
            digest = HashFile(fullPath);
        }
        catch (IOException) { return FileStamp.Missing; }
        catch (UnauthorizedAccessException) { return FileStamp.Missing; }
        // A file written while we hashed it gets a fresh stat, so the next check hashes it again.
        return TryStat(fullPath, out var after) && after.SameStat(stat) ? stat with { Digest = digest } : after with { Digest = digest, MtimeNs = -1 };
    }

    public static Digest HashFile(string fullPath)
    {
        if (OperatingSystem.IsLinux() && LinuxRead.TryHash(fullPath, out var digest)) return digest;
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        Span<byte> sha256 = stackalloc byte[Digest.Sha256Bytes];
        SHA256.HashData(stream, sha256);
        return Digest.FromSha256(sha256);
    }

    /// <summary>Stat data with an empty digest; false when the path is not a regular file.</summary>
    public static bool TryStat(string fullPath, out FileStamp stat) => TryStat(fullPath, out stat, out _);

    /// <param name="symbolicLink">Gets whether the path itself is a symbolic link (its target is stated); Linux only.</param>
    public static bool TryStat(string fullPath, out FileStamp stat, out bool symbolicLink)
    {
        symbolicLink = false;
        if (OperatingSystem.IsLinux() && LinuxStat.TryStatx(fullPath, out stat, out symbolicLink)) return true;
        return PortableStat(fullPath, out stat);
    }

    static bool PortableStat(string fullPath, out FileStamp stat)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists) { stat = FileStamp.Missing; return false; }
        var mode = OperatingSystem.IsWindows() ? 0b110_100_100 : (int)info.UnixFileMode;
        var mtime = (info.LastWriteTimeUtc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        stat = new FileStamp(Digest.None, info.Length, mtime, mtime, 0, mode);
        return true;
    }

    /// <summary>The path as the C string that open(2) and statx(2) take.</summary>
    static byte[] NulTerminated(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary>
    /// Hashing by open(2), read(2) of 64 KiB at a time and close(2): a FileStream also takes and drops
    /// an advisory lock and states the file twice, which for the small outputs of most steps is more
    /// system calls than the reads, on the path from one step's end to the next one's start.
    /// </summary>
    static class LinuxRead
    {
        const int O_RDONLY = 0, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000;
        const int EINTR = 4, ENOENT = 2, EACCES = 13, EPERM = 1;
        const int BufferBytes = 64 * 1024;
        static bool _unavailable;
        [ThreadStatic] static IncrementalHash? _hash;

        [DllImport("libc", SetLastError = true)]
        static extern unsafe int open(byte* path, int flags);
        [DllImport("libc", SetLastError = true)]
        static extern unsafe nint read(int fd, byte* buffer, nint count);

        /// <exception cref="IOException">The file cannot be opened or read.</exception>
        /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
        public static unsafe bool TryHash(string path, out Digest digest)
        {
            digest = default;
            if (_unavailable) return false;
            var bytes = NulTerminated(path);
            int fd;
            try
            {
                fixed (byte* p = bytes)
                {
                    do fd = open(p, O_RDONLY | O_NOCTTY | O_CLOEXEC);
                    while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
                }
            }
            catch (EntryPointNotFoundException) { _unavailable = true; return false; }
            if (fd < 0) throw Failure(path, Marshal.GetLastPInvokeError());
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
            try
            {
                // One hash object per thread, reset by each result: creating one costs as much as hashing
                // a small file. Taken while in use, so that a failed read leaves no half-fed hash behind.
                var hash = _hash ?? IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                _hash = null;
                fixed (byte* b = buffer)
                {
                    while (true)
                    {
                        var n = read(fd, b, BufferBytes);
                        if (n == 0) break;
                        if (n < 0)
                        {
                            var errno = Marshal.GetLastPInvokeError();
                            if (errno == EINTR) continue;
                            throw Failure(path, errno);
                        }
                        hash.AppendData(buffer, 0, (int)n);
                    }
                }
                Span<byte> sha256 = stackalloc byte[Digest.Sha256Bytes];
                hash.GetHashAndReset(sha256);
                _hash = hash;
                digest = Digest.FromSha256(sha256);
                return true;
            }
            finally
            {
                Running.Spawn.Close(fd);
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        static Exception Failure(string path, int errno)
        {
            var reason = Marshal.GetPInvokeErrorMessage(errno);
            var message = "cannot read " + path + ": " + reason;
            return errno switch
            {
                EACCES or EPERM => new UnauthorizedAccessException(message),
                ENOENT => new FileNotFoundException(message, path),
                _ => new IOException(message),
            };
        }
    }

    /// <summary>statx(2): one syscall that also gives the inode and change time.</summary>
    static class LinuxStat
    {
        const int AT_FDCWD = -100;
        const uint STATX_BASIC_STATS = 0x7ff;
        const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFLNK = 0xA000;
        const int AT_SYMLINK_NOFOLLOW = 0x100;
        static bool _unavailable;

        [DllImport("libc", SetLastError = true)]
        static extern unsafe int statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

        /// <summary>The path is stated without following a last symbolic link first, which costs one call more only for a link.</summary>
        public static unsafe bool TryStatx(string path, out FileStamp stat, out bool symbolicLink)
        {
            stat = FileStamp.Missing;
            symbolicLink = false;
            if (_unavailable) return PortableStat(path, out stat);
            var bytes = NulTerminated(path);
            var buffer = stackalloc byte[256];
            int rc;
            try
            {
                fixed (byte* p = bytes)
                {
                    rc = statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer);
                    if (rc == 0 && (*(ushort*)(buffer + 28) & S_IFMT) == S_IFLNK)
                    {
                        symbolicLink = true;
                        rc = statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, buffer);
                    }
                }
            }
            catch (EntryPointNotFoundException) { _unavailable = true; return PortableStat(path, out stat); }
            if (rc != 0) return false;
            // struct statx: mode u16 at 28, ino u64 at 32, size u64 at 40, ctime at 96, mtime at 112 (sec i64, nsec u32).
            var mode = *(ushort*)(buffer + 28);
            if ((mode & S_IFMT) != S_IFREG) return false;
            var ino = *(long*)(buffer + 32);
            var size = *(long*)(buffer + 40);
            var ctime = *(long*)(buffer + 96) * 1_000_000_000L + *(uint*)(buffer + 104);
            var mtime = *(long*)(buffer + 112) * 1_000_000_000L + *(uint*)(buffer + 120);
            stat = new FileStamp(Digest.None, size, mtime, ctime, ino, mode & 0xFFF);
            return true;
        }
    }
}
