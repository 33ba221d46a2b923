using System;
using System.IO;
using System.Runtime.InteropServices;

namespace StepUp.Protocol
{
    /// <summary>
    /// The package carries the director and the `stepup` command twice: portable in tools/director/
    /// and tools/cli/, and compiled ahead of time (ReadyToRun) for the platform that packed it in
    /// tools/director-&lt;rid&gt;/ and tools/cli-&lt;rid&gt;/. Ahead-of-time code starts without the JIT,
    /// which is most of a no-op build. An image compiled for another platform does not load at all,
    /// so the copy is taken only when its RID names this process's OS and architecture (as the package's
    /// tools/bin/stepup script decides from uname). The MSBuild task and the command resolve the
    /// director through here alike: they must start, and find, the same one.
    /// </summary>
    public static class ReadyToRun
    {
        /// <summary>The ahead-of-time twin of a program in folder/name: folder-&lt;rid&gt;/name when it exists, else the program itself.</summary>
        public static string Prefer(string programPath)
        {
#if NET
            var folder = Path.GetDirectoryName(Path.GetFullPath(programPath));
            if (string.IsNullOrEmpty(folder)) return programPath;
            var rid = PlatformRid();
            if (rid == null) return programPath;
            var twin = Path.Combine(folder + "-" + rid, Path.GetFileName(programPath));
            return File.Exists(twin) ? twin : programPath;
#else
            // .NET Framework's MSBuild (Visual Studio): Windows, where no director runs.
            return programPath;
#endif
        }

#if NET
        /// <summary>linux-x64, linux-arm64, osx-x64 or osx-arm64; null elsewhere, and on musl, whose RIDs differ.</summary>
        static string? PlatformRid()
        {
            if (RuntimeInformation.RuntimeIdentifier.Contains("musl")) return null;
            var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : null;
            var architecture = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => null,
            };
            return os != null && architecture != null ? os + "-" + architecture : null;
        }
#endif
    }
}
