namespace StepUp.Tests.EndToEnd;

/// <summary>
/// Steps die with their director: a director killed while a step runs takes the step with it, and
/// the next director stops whatever a dead one still left running before it runs that step again.
/// The probe is the one of issue 7: a step that writes A, sleeps, then appends B. A step that
/// outlived its director would append a second B to the output of the next build. The killed run
/// sleeps a minute, so that it surely still runs when the next build starts however slow the
/// machine; the test then creates `quick`, and the next run sleeps a second only.
/// </summary>
[TestClass]
public sealed class StepLifetimeTests
{
    const string Probe = """<Step Include="probe" Command="echo $$ &gt;&gt; pids.txt; printf 'A\n' &gt; ${out}; if [ -e quick ]; then sleep 1; else sleep 60; fi; printf 'B\n' &gt;&gt; ${out}" Out="out.txt" />""";

    [TestMethod]
    public void KillingTheDirectorMidStep_StopsTheStep_AndTheNextBuildWritesTheOutputOnce()
    {
        using var p = new TestProject();
        p.WriteSteps(Probe);
        var (oldStep, oldDirector) = KillDirectorMidStep(p, wholeGroup: false);
        BuildAgainAndCheck(p, oldStep, oldDirector, leftoverReported: false);
    }

    [TestMethod]
    public void KillingTheDirectorsWholeProcessGroup_TheNextDirectorStopsTheLeftoverStep()
    {
        // The director's own process group holds its helpers too; the steps run in groups of their
        // own, so only the record under .stepup/ can lead the next director to them.
        using var p = new TestProject();
        p.WriteSteps(Probe);
        var (oldStep, oldDirector) = KillDirectorMidStep(p, wholeGroup: true);
        BuildAgainAndCheck(p, oldStep, oldDirector, leftoverReported: true);
    }

    /// <summary>Starts a build, waits until the probe wrote A, and kills the director with SIGKILL.</summary>
    static (ProcessIdentity Step, int Director) KillDirectorMidStep(TestProject p, bool wholeGroup)
    {
        using var running = p.StartBuild();
        var started = TestProject.WaitFor(() => running.HasExited || (p.FileExists("out.txt") && p.ReadFile("out.txt") == "A\n" && StepPids(p).Count == 1),
            TimeSpan.FromSeconds(90));
        if (!started || running.HasExited) Assert.Fail("The probe should be running. Output so far:\n" + running.OutputSoFar);
        var step = ProcessIdentity.Of(StepPids(p)[0]);
        Assert.IsNotNull(step, "The probe's shell should be alive while it sleeps");

        var directors = p.DirectorPids();
        Assert.AreEqual(1, directors.Count, "One director should run for " + p.Home.Dir);
        var target = wholeGroup ? "-" + directors[0] : directors[0].ToString();
        Runner.RunTool("/bin/sh", ["-c", "kill -s KILL -- " + target], TimeSpan.FromSeconds(10));
        running.Wait(TimeSpan.FromSeconds(120)).AssertFailure("A build whose director was killed fails");
        p.WriteFile("quick", "");
        return (step, directors[0]);
    }

    /// <param name="leftoverReported">Whether the next director must have found the old step (its watchdog died too).</param>
    static void BuildAgainAndCheck(TestProject p, ProcessIdentity oldStep, int oldDirector, bool leftoverReported)
    {
        using var running = p.StartBuild();
        var restarted = TestProject.WaitFor(() => running.HasExited || StepPids(p).Count == 2, TimeSpan.FromSeconds(90));
        if (!restarted || running.HasExited) Assert.Fail("The next build should run the probe again. Output so far:\n" + running.OutputSoFar);
        Assert.IsFalse(oldStep.IsAlive(), $"The old probe (pid {oldStep.Pid}) must be gone before the probe runs again");

        var result = running.Wait(TimeSpan.FromSeconds(120)).AssertSuccess();
        result.Check(result.Ran("probe"), "The interrupted probe runs again");
        if (leftoverReported)
            result.Check(result.Lines.Any(l => l.Contains("Stopped steps that an earlier director left running", StringComparison.Ordinal)),
                "The next director says it stopped the step the killed one left running");
        Assert.AreEqual("A\nB\n", p.ReadFile("out.txt"), "Only the new probe wrote the output");
        var scratch = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var stale = Directory.EnumerateDirectories(scratch, "stepup-" + oldDirector + "-*").ToList();
        Assert.AreEqual(0, stale.Count, "The killed director's scratch folder is gone: " + string.Join(", ", stale));

        var third = p.Build().AssertSuccess();
        third.Check(third.Skipped("probe"), "The probe is up to date");
    }

    static List<int> StepPids(TestProject p) =>
        p.FileExists("pids.txt")
            ? p.ReadFile("pids.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];

    /// <summary>A process by pid and start time (field 22 of /proc/pid/stat), so that a reused pid is not mistaken for it.</summary>
    sealed record ProcessIdentity(int Pid, string StartTime)
    {
        public static ProcessIdentity? Of(int pid) => StartTimeOf(pid) is { } start ? new ProcessIdentity(pid, start) : null;

        public bool IsAlive() => StartTimeOf(Pid) == StartTime;

        static string? StartTimeOf(int pid)
        {
            try
            {
                var stat = File.ReadAllText("/proc/" + pid + "/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields after the command name start at field 3; a zombie has finished already.
                return fields[0] == "Z" ? null : fields[19];
            }
            catch (IOException) { return null; }
        }
    }
}
