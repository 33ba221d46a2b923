using System.Globalization;
using System.Text.RegularExpressions;

namespace StepUp.Engine.Running;

/// <summary>
/// A private folder, on tmpfs where there is one, for the scripts and captured output of one
/// build's steps. Its name starts with the director's pid and start time: the watchdog removes the
/// director's folders when it dies, and the first build of any later director removes those whose
/// director is gone.
/// </summary>
static partial class ScratchFolder
{
    public static string Parent { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Null without /proc: then no folder can be told stale.</summary>
    static readonly long? StartTime = ProcessGroup.StartTimeOf(Environment.ProcessId);

    static readonly string Prefix = "stepup-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" +
        (StartTime ?? 0).ToString(CultureInfo.InvariantCulture) + "-";

    static int _staleRemoved;

    public static string Create()
    {
        if (StartTime != null && Interlocked.Exchange(ref _staleRemoved, 1) == 0) RemoveStale();
        var path = Path.Combine(Parent, Prefix + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public static void Delete(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"^stepup-(\d+)-(\d+)-[0-9a-f]+$")]
    private static partial Regex Name();

    /// <summary>Folders of directors that are gone (their pid is free or names a process started at another time).</summary>
    static void RemoveStale()
    {
        IEnumerable<string> folders;
        try { folders = Directory.EnumerateDirectories(Parent, "stepup-*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var folder in folders)
        {
            var match = Name().Match(Path.GetFileName(folder));
            if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture, out var pid) ||
                !long.TryParse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture, out var start)) continue;
            if (ProcessGroup.StartTimeOf(pid) != start) Delete(folder);
        }
    }
}
