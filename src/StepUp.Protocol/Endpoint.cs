using System;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace StepUp.Protocol
{
    /// <summary>
    /// Where a director listens: a Unix socket in a folder that only its user owns and can enter.
    /// One director per user and director build.
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

        /// <summary>The director's own tools folder: the `stepup` command and the Python package for its steps.</summary>
        public string ToolsPath => Path.Combine(Directory, "d-" + Id + ".tools");

        /// <summary>
        /// The director needs Unix sockets, file modes and /bin/sh: Linux and macOS. Nothing serves
        /// a Windows client, so it is refused at once.
        /// </summary>
        public static bool IsSupportedPlatform => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

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
            var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(runtime) && System.IO.Directory.Exists(runtime)) return Path.Combine(runtime, "stepup");
            return "/tmp/stepup-" + UnixUser.EffectiveUserId();
        }

        /// <summary>
        /// Creates the folder, refuses one that another user owns, and makes it readable by its owner only.
        /// </summary>
        /// <exception cref="EndpointRefusedException">The folder is another user's or cannot be made private.</exception>
        public void MakePrivateDirectory()
        {
            try
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new EndpointRefusedException("cannot create the director folder " + Directory + ": " + e.Message + NameYourOwn);
            }
            var me = UnixUser.EffectiveUserId();
            if (UnixUser.OwnerOf(Directory) is uint owner && owner != me)
                throw new EndpointRefusedException("the director folder " + Directory + " belongs to another user (uid " + owner + ", not " + me + ")" + NameYourOwn);
            if (UnixUser.MakePrivate(Directory) is int errno)
                throw new EndpointRefusedException("cannot make the director folder " + Directory + " private (errno " + errno + ")" + NameYourOwn);
        }

        const string NameYourOwn = "; set " + ProtocolInfo.EnvDirectorDir + " to a folder of your own.";

        /// <summary>Connects to the director; null when none listens.</summary>
        /// <exception cref="EndpointRefusedException">The socket is served by another user.</exception>
        public Stream? TryConnect() => TryConnect(SocketPath);

        /// <summary>Connects to the director socket at <paramref name="socketPath"/>; null when none listens there.</summary>
        /// <exception cref="EndpointRefusedException">The socket is served by another user: requests carry secrets.</exception>
        public static Stream? TryConnect(string socketPath)
        {
            if (!File.Exists(socketPath)) return null;
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(UnixSocket.EndPointFor(socketPath));
            }
            catch (SocketException)
            {
                socket.Dispose();
                return null;
            }
            var me = UnixUser.EffectiveUserId();
            if (UnixUser.PeerUserId(socket) is uint peer && peer != me)
            {
                socket.Dispose();
                throw new EndpointRefusedException("the director socket " + socketPath + " is served by another user (uid " + peer + ", not " + me + ")" + NameYourOwn);
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
    }

    /// <summary>An endpoint that this user must not use: it belongs to someone else, or cannot be kept private.</summary>
    public sealed class EndpointRefusedException : Exception
    {
        public EndpointRefusedException(string message) : base(message) { }
    }
}
