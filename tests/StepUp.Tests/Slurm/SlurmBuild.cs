using System.Text.RegularExpressions;
using StepUp.Tests.EndToEnd;

namespace StepUp.Tests.Slurm;

/// <summary>What the Slurm executor's tests read from a build's log and from Slurm itself.</summary>
static class SlurmBuild
{
    /// <summary>A project whose steps run as Slurm jobs unless they say otherwise.</summary>
    public static TestProject Project()
    {
        SlurmCluster.Require();
        return new TestProject();
    }

    /// <summary>The job id of each step as its QUEUED lines give it (the first one per step).</summary>
    public static Dictionary<string, string> JobIds(string output)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(output, @"(?m)QUEUED \u2502 (.+?) \(job (\d+)"))
            ids.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
        return ids;
    }

    /// <summary>How many QUEUED lines say that a job was submitted (not re-attached) for the step.</summary>
    public static int Submissions(string output, string step) =>
        Regex.Matches(output, @"(?m)QUEUED \u2502 " + Regex.Escape(step) + @" \(job \d+\)").Count;

    /// <summary>One field of `scontrol show job` text, e.g. "NumCPUs".</summary>
    public static string Field(string scontrol, string name)
    {
        var m = Regex.Match(scontrol, @"(?<![A-Za-z])" + Regex.Escape(name) + @"=(\S*)");
        return m.Success ? m.Groups[1].Value : "";
    }

    /// <summary>The state squeue gives each job (a job Slurm no longer lists is left out).</summary>
    public static Dictionary<string, string> States(IEnumerable<string> jobIds)
    {
        var (_, output) = Runner.RunTool("squeue", ["--noheader", "--states=all", "--format=%i %T", "--jobs=" + string.Join(",", jobIds)], TimeSpan.FromSeconds(60));
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', 2);
            if (fields.Length == 2 && fields[0].All(char.IsAsciiDigit)) states[fields[0]] = fields[1];
        }
        return states;
    }
}
