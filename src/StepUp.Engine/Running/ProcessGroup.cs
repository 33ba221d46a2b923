using System.Globalization;
using System.Runtime.InteropServices;

namespace StepUp.Engine.Running;

/// <summary>
/// A process group by its id (the pid of its leader) and the leader's start time (clock ticks since
/// boot, field 22 of /proc/pid/stat), so that a pid the system has given to another process since
/// is never killed. Linux only: without /proc there are no groups to know.
/// </summary>
readonly record struct ProcessGroup(int Id, long StartTime)
{
    const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int SendSignal(int pid, int signal);

    /// <summary>The group a process leads (it does once it called setpgid or setsid); null without /proc.</summary>
    public static ProcessGroup? LedBy(int pid) => StartTimeOf(pid) is { } start ? new ProcessGroup(pid, start) : null;

    /// <summary>Kills every process of the group, unless the leader's pid now names another process.</summary>
    public void Kill()
    {
        // kill(-1) would signal every process of the user.
        if (Id <= 1) return;
        // A leader that is gone leaves its id reserved while members remain, so the group is still this one.
        if (StartTimeOf(Id) is { } start && start != StartTime) return;
        SendSignal(-Id, SigKill);
    }

    /// <summary>Whether a process of the group still lives (a zombie is dead: it can no longer write anything).</summary>
    public bool HasLiveMembers()
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { } fields && fields[0] is not ("Z" or "X") && fields[2] == Id.ToString(CultureInfo.InvariantCulture)) return true;
        }
        return false;
    }

    /// <summary>When a process started, in clock ticks since boot; null when it does not exist.</summary>
    public static long? StartTimeOf(int pid) =>
        Stat(pid) is { } fields && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;

    /// <summary>Identifies this boot of this machine: start times count from the boot.</summary>
    public static string BootId { get; } = ReadBootId();

    public override string ToString() => Id.ToString(CultureInfo.InvariantCulture) + ":" + StartTime.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out ProcessGroup group)
    {
        group = default;
        var colon = text.IndexOf(':');
        if (colon < 0 || !int.TryParse(text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ||
            !long.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return false;
        group = new ProcessGroup(id, start);
        return id > 1;
    }

    /// <summary>The fields of /proc/pid/stat after the command name (which may hold spaces): state first.</summary>
    static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException) { return null; }
    }

    static string ReadBootId()
    {
        try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }
}
