using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace StepUp.Protocol
{
    /// <summary>The few libc calls that keep the director private to its user.</summary>
    public static class UnixUser
    {
        [DllImport("libc", EntryPoint = "geteuid")]
        static extern uint geteuid();

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        static extern int chmod(string path, uint mode);

        // statx has one layout on every Linux architecture, unlike stat.
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", EntryPoint = "stat$INODE64", SetLastError = true)]
        static extern int statInode64(string path, byte[] buffer);

        [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
        static extern int stat(string path, byte[] buffer);

        static uint? _uid;

        public static uint EffectiveUserId() => _uid ??= geteuid();

        /// <summary>Sets mode 0700 on a folder; the errno when that fails, else null.</summary>
        public static int? MakePrivate(string directory) =>
            chmod(directory, Convert.ToUInt32("700", 8)) == 0 ? (int?)null : Marshal.GetLastWin32Error();

        public static void MakeOwnerOnly(string file)
        {
            chmod(file, Convert.ToUInt32("600", 8));
        }

        /// <summary>The user id that owns <paramref name="path"/> (not following a last symlink); null when the OS does not say.</summary>
        public static uint? OwnerOf(string path)
        {
            var buffer = new byte[256];
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    // AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_UID = 0x8; struct statx: stx_uid at byte 20.
                    return statx(-100, path, 0x100, 0x8, buffer) == 0 ? BitConverter.ToUInt32(buffer, 20) : (uint?)null;
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    // The 64-bit-inode struct stat: st_uid at byte 16 (arm64 has no other stat).
                    var result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? statInode64(path, buffer) : stat(path, buffer);
                    return result == 0 ? BitConverter.ToUInt32(buffer, 16) : (uint?)null;
                }
            }
            catch (EntryPointNotFoundException) { }
            catch (DllNotFoundException) { }
            return null;
        }

        /// <summary>The user id of the process at the other end of a Unix socket, where the OS tells it.</summary>
        public static uint? PeerUserId(Socket socket)
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    // SOL_SOCKET = 1, SO_PEERCRED = 17: struct ucred { pid_t pid; uid_t uid; gid_t gid; }
                    var cred = new byte[12];
                    var size = socket.GetRawSocketOptionCompat(1, 17, cred);
                    if (size >= 8) return BitConverter.ToUInt32(cred, 4);
                }
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    // SOL_LOCAL = 0, LOCAL_PEERCRED = 1: struct xucred { u_int version; uid_t uid; ... }
                    var cred = new byte[76];
                    var size = socket.GetRawSocketOptionCompat(0, 1, cred);
                    if (size >= 8) return BitConverter.ToUInt32(cred, 4);
                }
            }
            catch (SocketException) { }
            catch (PlatformNotSupportedException) { }
            return null;
        }

        static int GetRawSocketOptionCompat(this Socket socket, int level, int name, byte[] buffer)
        {
#if NET
            return socket.GetRawSocketOption(level, name, buffer);
#else
            var value = socket.GetSocketOption((SocketOptionLevel)level, (SocketOptionName)name, buffer.Length);
            Buffer.BlockCopy(value, 0, buffer, 0, Math.Min(value.Length, buffer.Length));
            return value.Length;
#endif
        }
    }
}
