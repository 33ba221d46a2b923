using System.Collections.Concurrent;
using System.Diagnostics;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A private STEPUP_DIRECTOR_DIR (short, under /tmp: socket paths are limited), so that the directors
/// of different test classes never meet. Disposing it stops its director and deletes the folder.
/// </summary>
public sealed class DirectorHome : IDisposable
{
    static readonly ConcurrentDictionary<string, byte> Live = new();

    public string Dir { get; }

    public DirectorHome()
    {
        Dir = "/tmp/sut-" + Names.Random(8);
        Live[Dir] = 0;
    }

    /// <summary>Processes whose command line names StepUp.Director and this folder.</summary>
    public IReadOnlyList<int> Pids() => Proc.FindDirectors(Dir);

    /// <summary>Polls until no director of this folder runs; false if one still does after <paramref name="limit"/>.</summary>
    public bool WaitUntilGone(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (Pids().Count > 0)
        {
            if (watch.Elapsed > limit) return false;
            Thread.Sleep(100);
        }
        return true;
    }

    /// <summary>Stops the director: SIGTERM, then SIGKILL for what is left after a few seconds.</summary>
    public void Stop()
    {
        var pids = Pids();
        if (pids.Count == 0) return;
        foreach (var pid in pids) Proc.Signal(pid, "TERM");
        if (WaitUntilGone(TimeSpan.FromSeconds(5))) return;
        foreach (var pid in Pids()) Proc.Signal(pid, "KILL");
        WaitUntilGone(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        Stop();
        Files.TryDeleteDirectory(Dir);
        Live.TryRemove(Dir, out _);
    }

    /// <summary>At process exit: what a test that was cut short left running.</summary>
    public static void StopAll()
    {
        foreach (var dir in Live.Keys)
        {
            foreach (var pid in Proc.FindDirectors(dir)) Proc.Signal(pid, "KILL");
            Files.TryDeleteDirectory(dir);
        }
    }
}

static class Proc
{
    public static string[] CommandLine(int pid)
    {
        try { return File.ReadAllText("/proc/" + pid + "/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    public static List<int> FindDirectors(string dir)
    {
        var found = new List<int>();
        var self = Environment.ProcessId;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateDirectories("/proc").ToList(); }
        catch (IOException) { return found; }
        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || pid == self) continue;
            var args = CommandLine(pid);
            if (args.Length == 0) continue;
            var joined = string.Join(' ', args);
            if (!joined.Contains("StepUp.Director", StringComparison.Ordinal)) continue;
            if (args.Any(a => a == dir || a == dir + "/" || a.EndsWith("=" + dir, StringComparison.Ordinal))
                || joined.Contains(" " + dir + " ", StringComparison.Ordinal) || joined.EndsWith(" " + dir, StringComparison.Ordinal))
                found.Add(pid);
        }
        return found;
    }

    public static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid) && CommandLine(pid).Length > 0;

    public static void Signal(int pid, string signal)
    {
        Runner.RunTool("/bin/sh", ["-c", "kill -s " + signal + " " + pid + " 2>/dev/null; true"], TimeSpan.FromSeconds(10));
    }
}
