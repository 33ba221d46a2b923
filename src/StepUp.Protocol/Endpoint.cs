using System;
using System.IO;
using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace StepUp.Protocol
{
    /// <summary>
    /// Where a director listens. On Unix: a socket in a folder only its user can enter; on Windows:
    /// a named pipe restricted to the current user. One director per user and director build.
    /// </summary>
    public sealed class Endpoint
    {
        public string Directory { get; }
        public string Id { get; }

        public Endpoint(string directory, string id)
        {
            Directory = directory;
            Id = id;
        }

        public string SocketPath => Path.Combine(Directory, "d-" + Id + ".sock");
        public string ServerLockPath => Path.Combine(Directory, "d-" + Id + ".lock");
        public string StartLockPath => Path.Combine(Directory, "d-" + Id + ".start");
        public string LogPath => Path.Combine(Directory, "d-" + Id + ".log");
        public string PipeName => "stepup-" + Environment.UserName + "-" + Id;

        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>The director's id: its version and the exact build it is, so no stale director is reused.</summary>
        public static string ComputeId(string version, string directorPath)
        {
            var stamp = File.Exists(directorPath) ? File.GetLastWriteTimeUtc(directorPath).Ticks : 0;
            var text = version + "|" + ProtocolInfo.Version + "|" + Path.GetFullPath(directorPath) + "|" + stamp;
            using (var sha = SHA256.Create())
            {
                var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
                var sb = new StringBuilder();
                for (var i = 0; i < 8; i++) sb.Append(hash[i].ToString("x2"));
                return sb.ToString();
            }
        }

        /// <summary>
        /// The folder for sockets, locks and the director's own log: STEPUP_DIRECTOR_DIR, else
        /// $XDG_RUNTIME_DIR/stepup, else /tmp/stepup-&lt;uid&gt;. Short, because socket paths are limited.
        /// </summary>
        public static string DefaultDirectory()
        {
            var explicitDir = Environment.GetEnvironmentVariable(ProtocolInfo.EnvDirectorDir);
            if (!string.IsNullOrEmpty(explicitDir)) return Path.GetFullPath(explicitDir);
            if (IsWindows)
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "StepUp", "director");
            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(runtime) && System.IO.Directory.Exists(runtime)) return Path.Combine(runtime, "stepup");
            return "/tmp/stepup-" + UnixUser.EffectiveUserId();
        }

        /// <summary>Creates the folder readable by its owner only, and refuses one that others can enter.</summary>
        public void EnsurePrivateDirectory()
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (IsWindows) return;
            UnixUser.MakePrivate(Directory);
        }

        /// <summary>Connects to the director, or returns null when none answers.</summary>
        public Stream? TryConnect(int timeoutMs)
        {
            if (IsWindows)
            {
                var pipe = new NamedPipeClientStream(".", PipeName, PipeDirection.InOut, PipeOptionsForUser());
                try { pipe.Connect(timeoutMs); return pipe; }
                catch (TimeoutException) { pipe.Dispose(); return null; }
                catch (IOException) { pipe.Dispose(); return null; }
            }
            if (!File.Exists(SocketPath)) return null;
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(UnixSocket.EndPointFor(SocketPath));
                if (UnixUser.PeerUserId(socket) is uint peer && peer != UnixUser.EffectiveUserId())
                    throw new UnauthorizedAccessException("The director socket " + SocketPath + " belongs to another user (uid " + peer + ").");
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException)
            {
                socket.Dispose();
                return null;
            }
        }

        static PipeOptions PipeOptionsForUser()
        {
#if NET
            return PipeOptions.CurrentUserOnly;
#else
            return PipeOptions.None;
#endif
        }
    }
}
