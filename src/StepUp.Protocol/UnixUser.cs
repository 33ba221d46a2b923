using System;
using System.IO;
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

        static uint? _uid;

        public static uint EffectiveUserId() => _uid ??= geteuid();

        /// <summary>Sets mode 0700 on a folder this user just created or already owns.</summary>
        public static void MakePrivate(string directory)
        {
            if (chmod(directory, Convert.ToUInt32("700", 8)) != 0)
                throw new UnauthorizedAccessException("Cannot make " + directory + " private (errno " + Marshal.GetLastWin32Error() + ").");
        }

        public static void MakeOwnerOnly(string file)
        {
            chmod(file, Convert.ToUInt32("600", 8));
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
