using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using StepUp.Protocol;

namespace StepUp.Tasks
{
    /// <summary>
    /// Finds the director for this SDK build, starting one when none answers. The director is
    /// started detached: it inherits no handle of the build, so `dotnet build` never waits for it.
    /// </summary>
    static class DirectorConnection
    {
        const int StartTimeoutMs = 20000;

        /// <exception cref="DirectorUnavailableException">No director answers and none could be started.</exception>
        /// <exception cref="EndpointRefusedException">The director folder or socket is another user's.</exception>
        public static Stream Connect(string directorPath, string dotnetPath, string version, out string logPath)
        {
            var endpoint = new Endpoint(Endpoint.DefaultDirectory(), Endpoint.ComputeId(version, directorPath));
            logPath = endpoint.LogPath;
            var stream = endpoint.TryConnect();
            if (stream != null) return stream;

            if (!File.Exists(directorPath))
                throw new DirectorUnavailableException("the director program " + directorPath + " does not exist; the StepUp.Sdk package looks incomplete.");
            endpoint.MakePrivateDirectory();
            // Only one client starts a director; the others wait for it to answer.
            using (var startLock = AcquireStartLock(endpoint))
            {
                stream = endpoint.TryConnect();
                if (stream != null) return stream;
                using (var process = Start(endpoint, directorPath, dotnetPath, version))
                {
                    var clock = Stopwatch.StartNew();
                    while (clock.ElapsedMilliseconds < StartTimeoutMs)
                    {
                        stream = endpoint.TryConnect();
                        if (stream != null) return stream;
                        if (process.HasExited)
                            throw new DirectorUnavailableException("the director exited with code " + process.ExitCode + " while starting: " + LogTail(endpoint.LogPath));
                        Thread.Sleep(50);
                    }
                }
            }
            throw new DirectorUnavailableException("the director did not answer within " + StartTimeoutMs / 1000 + " s after it was started; see " + endpoint.LogPath + ".");
        }

        static FileStream AcquireStartLock(Endpoint endpoint)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    return new FileStream(endpoint.StartLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (UnauthorizedAccessException e)
                {
                    throw new DirectorUnavailableException("cannot open " + endpoint.StartLockPath + ": " + e.Message);
                }
                catch (IOException) when (clock.ElapsedMilliseconds < StartTimeoutMs)
                {
                    Thread.Sleep(50);
                }
                catch (IOException e)
                {
                    throw new DirectorUnavailableException("another build holds " + endpoint.StartLockPath + " for too long: " + e.Message);
                }
            }
        }

        static string LogTail(string path)
        {
            try
            {
                var lines = File.ReadAllLines(path);
                var tail = new System.Collections.Generic.List<string>();
                for (var i = Math.Max(0, lines.Length - 5); i < lines.Length; i++) tail.Add(lines[i]);
                return string.Join(" | ", tail) + " (" + path + ")";
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return "see " + path; }
        }

        static Process Start(Endpoint endpoint, string directorPath, string dotnetPath, string version)
        {
            var host = string.IsNullOrEmpty(dotnetPath) || !File.Exists(dotnetPath) ? "dotnet" : dotnetPath;
            // The shell drops the build's stdin/stdout/stderr before the director exists.
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var arg in new[] { "-c", "exec \"$0\" \"$@\" </dev/null >>\"$STEPUP_DIRECTOR_LOG\" 2>&1", host, directorPath, "--dir", endpoint.Directory, "--id", endpoint.Id, "--sdk-version", version })
                AddArgument(psi, arg);
            psi.EnvironmentVariables["STEPUP_DIRECTOR_LOG"] = endpoint.LogPath;
            psi.WorkingDirectory = Path.GetDirectoryName(directorPath) ?? ".";
            // Node-reuse and MSBuild-server variables of this build mean nothing to the director.
            foreach (var name in new[] { "MSBUILDNOINPROCNODE", "MSBUILDNODEHANDSHAKESALT" }) psi.EnvironmentVariables.Remove(name);
            try
            {
                return Process.Start(psi) ?? throw new DirectorUnavailableException("could not start '" + host + " " + directorPath + "'");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is IOException)
            {
                throw new DirectorUnavailableException("could not start '" + host + " " + directorPath + "': " + e.Message);
            }
        }

        static void AddArgument(ProcessStartInfo psi, string arg)
        {
#if NET
            psi.ArgumentList.Add(arg);
#else
            psi.Arguments += (psi.Arguments.Length > 0 ? " " : "") + "\"" + arg.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
#endif
        }
    }

    sealed class DirectorUnavailableException : Exception
    {
        public DirectorUnavailableException(string message) : base(message) { }
    }
}
