using System.Diagnostics;
using StepUp.Engine.Building;

namespace StepUp.Engine.Running;

/// <summary>
/// The process groups of a project's job slots while a build runs, in .stepup/running (one line per
/// group: boot id, then group id and leader start time). The watchdog stops the steps of a director
/// that dies; when the watchdog died with it, the next director finds the groups here and stops
/// them before it runs any step of the project, so that no step ever runs twice at once.
/// </summary>
sealed class GroupLedger(string stateFolder)
{
    public const string FileName = "running";

    /// <summary>How long to wait for a killed group to be gone; past it the build goes on (and says so).</summary>
    static readonly TimeSpan GoneLimit = TimeSpan.FromSeconds(10);

    readonly Lock _gate = new();
    readonly List<ProcessGroup> _groups = new();

    string FilePath => Path.Combine(stateFolder, FileName);

    public void Add(ProcessGroup group)
    {
        lock (_gate)
        {
            _groups.Add(group);
            Write();
        }
    }

    public void Remove(ProcessGroup group)
    {
        lock (_gate)
        {
            if (_groups.Remove(group)) Write();
        }
    }

    void Write()
    {
        if (_groups.Count == 0)
        {
            File.Delete(FilePath);
            return;
        }
        // Replaced whole, so that a crash leaves the old list or the new one, never half of one.
        var temporary = FilePath + ".tmp";
        File.WriteAllLines(temporary, _groups.Select(g => ProcessGroup.BootId + " " + g));
        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>Kills the groups an earlier director of this project left running, and waits until they are gone.</summary>
    public void StopLeftovers(IBuildEvents events)
    {
        if (!File.Exists(FilePath)) return;
        string[] lines;
        try { lines = File.ReadAllLines(FilePath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return; }
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            // Start times count from the boot: after a reboot nothing of the old list runs.
            if (parts.Length != 2 || parts[0] != ProcessGroup.BootId || !ProcessGroup.TryParse(parts[1], out var group)) continue;
            // Usually the watchdog stopped it already.
            if (!group.HasLiveMembers()) continue;
            group.Kill();
            var clock = Stopwatch.StartNew();
            while (group.HasLiveMembers() && clock.Elapsed < GoneLimit) Thread.Sleep(20);
            events.Line("DIRECTOR", group.HasLiveMembers()
                ? $"Steps that an earlier director left running (process group {group.Id}) did not stop; this build goes on beside them."
                : $"Stopped steps that an earlier director left running (process group {group.Id}).");
        }
        File.Delete(FilePath);
    }
}
