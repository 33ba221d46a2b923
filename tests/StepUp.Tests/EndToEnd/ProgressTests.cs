using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// What a build says while and after it runs: progress lines and heartbeats during a long build,
/// how long each step took, and the files that StepUpGraph wrote.
/// </summary>
[TestClass]
public sealed class ProgressTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    // The intervals shrink from 5 s (progress) and 60 s (heartbeat) to one second, and the slow step
    // runs until the test has seen what it waits for: the test measures no time.
    static readonly string[] ShortIntervals = ["-p:_StepUpProgressSeconds=1", "-p:_StepUpHeartbeatSeconds=1"];

    const string Quick = """<Step Include="quick" Command="echo q &gt; ${out}" Out="q.txt" />""";
    const string Slow = """<Step Include="slow" Command="while [ ! -e go ]; do sleep 0.1; done; echo s &gt; ${out}" Inp="q.txt" Out="s.txt" />""";

    static BuildResult BuildUntilSeen(TestProject p, string[] args, params string[] patterns)
    {
        p.DeleteFileIfExists("go");
        using var build = p.StartBuild(args);
        var seen = TestProject.WaitFor(() => patterns.All(pattern => Regex.IsMatch(build.OutputSoFar, pattern)), TimeSpan.FromSeconds(60));
        p.WriteFile("go", "");
        var result = build.Wait(TimeSpan.FromSeconds(60));
        result.Check(seen, "Expected, while the slow step ran: " + string.Join(" and ", patterns));
        return result.AssertSuccess();
    }

    [TestMethod]
    public void LongBuild_SaysHowFarItIs_AndALongStepHasAHeartbeat_AtNormalVerbosity()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Quick, Slow);
        BuildUntilSeen(p, ShortIntervals,
            @"PROGRESS \u2502 1/2 steps done, 1 running: slow",
            @"RUNNING \u2502 slow \(running for \d+ s\)");

        p.WriteSteps(Quick.Replace("echo q", "echo q2"), Slow);
        var minimal = BuildUntilSeen(p, [.. ShortIntervals, "-v:m"], @"PROGRESS \u2502 1/2 steps done, 1 running: slow");
        minimal.Check(!minimal.Output.Contains("RUNNING \u2502", StringComparison.Ordinal), "Heartbeats are for -v:n and above; progress shows at -v:m, as CI logs have it");
    }

    [TestMethod]
    public void ShortBuild_HasNoProgressLines()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="quick" Command="echo q &gt; ${out}" Out="q.txt" />""");

        var r = p.Build().AssertSuccess();
        r.Check(!r.Output.Contains("PROGRESS \u2502", StringComparison.Ordinal) && !r.Output.Contains("RUNNING \u2502", StringComparison.Ordinal),
            "A build shorter than the progress interval (5 s) prints what it printed before");
    }

    [TestMethod]
    public void StepDurations_AreOnSuccessAndFailLinesAtDetailedVerbosity_AndInGraphTxt()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="fine" Command="echo f &gt; ${out}" Out="f.txt" />""",
            """<Step Include="bad" Command="exit 4" Out="b.txt" />""");

        var detailed = p.Build("-v:d", "-p:StepUpKeepGoing=true").AssertFailure();
        detailed.Check(Regex.IsMatch(detailed.Output, @"(?m)SUCCESS \u2502 fine \(\d+\.\d{3} s\)\s*$"), "-v:d: the SUCCESS line says how long the step ran");
        detailed.Check(Regex.IsMatch(detailed.Output, @"(?m)FAIL \u2502 bad \(\d+\.\d{3} s\)\s*$"), "-v:d: so does the FAIL line");

        p.WriteSteps(
            """<Step Include="fine" Command="echo f2 &gt; ${out}" Out="f.txt" />""",
            """<Step Include="bad" Command="exit 4" Out="b.txt" />""");
        var normal = p.Build("-p:StepUpKeepGoing=true").AssertFailure();
        normal.Check(normal.Succeeded("fine") && normal.Failed("bad"), "-v:n: the lines are as before, without durations");

        p.Build("-t:StepUpGraph").AssertSuccess();
        var graph = p.ReadFile("graph.txt");
        Assert.IsTrue(Regex.IsMatch(graph, @"step:fine\n(.*\n)*?\s+duration = \d+\.\d{3} s\n"), "graph.txt gives each step's duration:\n" + graph);
        Assert.IsTrue(Regex.IsMatch(graph, @"step:bad\n(.*\n)*?\s+duration = \d+\.\d{3} s\n"), "also of a failed step:\n" + graph);
    }

    [TestMethod]
    public void StepUpGraph_UnderTheTerminalLogger_SaysWhichFilesItWrote()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="fine" Command="echo f &gt; ${out}" Out="f.txt" />""");
        p.Build().AssertSuccess();

        var r = p.BuildWithTerminalLogger("-t:StepUpGraph").AssertSuccess();
        foreach (var file in new[] { "graph.txt", "graph_provenance.dot", "graph_dependency.dot" })
            r.Check(r.Plain.Contains(file, StringComparison.Ordinal), $"The terminal logger shows that {file} was written");
    }
}
