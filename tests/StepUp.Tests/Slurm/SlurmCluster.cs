using System.Diagnostics;
using StepUp.Engine.Slurm;
using StepUp.Tests.EndToEnd;

namespace StepUp.Tests.Slurm;

/// <summary>
/// The local Slurm cluster of tests/slurm/start-cluster.sh, started once per test run (a cluster
/// that SLURM_CONF already points to and that answers is used as it is). Tests that need it call
/// <see cref="Require"/>: when the cluster cannot start they are inconclusive with the script's reason.
/// </summary>
static class SlurmCluster
{
    static readonly Lazy<string?> Failure = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Marks the test inconclusive, with the reason, unless the cluster is up.</summary>
    public static void Require()
    {
        if (Failure.Value is { } reason) Assert.Inconclusive("The Slurm test cluster is not running: " + reason);
    }

    /// <summary>A client whose every command may take at most a minute (a loaded 2-core machine is slow).</summary>
    public static SlurmClient Client() => new(new SlurmCli(TimeSpan.FromSeconds(60)));

    /// <summary>A fresh folder for jobs, under this test run's folder (the cluster's node is this machine).</summary>
    public static string NewFolder(string name)
    {
        var folder = Path.Combine(SdkFeed.RunDir, "slurm-" + name + "-" + Names.Random(6));
        Directory.CreateDirectory(folder);
        return folder;
    }

    static string? Start()
    {
        if (!OperatingSystem.IsLinux()) return "it runs on Linux only";
        if (Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf && File.Exists(conf) && Answers())
            return null;
        var script = Path.Combine(SdkFeed.RepoRoot, "tests", "slurm", "start-cluster.sh");
        var (exitCode, stdout, stderr) = Run("bash", [script], TimeSpan.FromMinutes(15));
        if (exitCode != 0)
        {
            var last = stderr.Trim().Split('\n').LastOrDefault()?.Trim();
            return string.IsNullOrEmpty(last) ? $"{script} exited with {exitCode}" : last;
        }
        var line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("SLURM_CONF=", StringComparison.Ordinal));
        if (line is null) return $"{script} printed no SLURM_CONF line";
        Environment.SetEnvironmentVariable("SLURM_CONF", line["SLURM_CONF=".Length..]);
        return null;
    }

    static bool Answers()
    {
        try { return Run("sinfo", ["-h"], TimeSpan.FromSeconds(20)).ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    static (int ExitCode, string Stdout, string Stderr) Run(string file, string[] arguments, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"{file} did not finish within {limit.TotalMinutes:0} minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
