namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUpDryRun=true: only out-of-date planning steps run (their definitions are needed to see the
/// plan); every other step is listed as `RUN │ step (reason)` or `SKIP │ step`, and nothing else on
/// disk changes.
/// </summary>
[TestClass]
public sealed class DryRunTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string DryRun = "-p:StepUpDryRun=true";

    static void WriteFlow(TestProject p)
    {
        p.WriteFile("data.txt", "one\n");
        p.WriteSteps(
            """<Static Include="data.txt" />""",
            """<Step Include="copy" Inp="data.txt" Out="copy.txt" Command="cp data.txt copy.txt" />""",
            """<Step Include="upper" Inp="copy.txt" Out="upper.txt" Command="tr a-z A-Z &lt; copy.txt &gt; upper.txt" />""",
            """<Step Include="plan" Planning="true" Command="echo planned &gt; plan.log; stepup step --name late --out late.txt -- 'echo late &gt; late.txt'" />""");
    }

    [TestMethod]
    public void DryRun_RunsOnlyPlanningSteps_AndSaysWhatWouldRunAndWhy()
    {
        using var p = new TestProject(_home);
        WriteFlow(p);

        var first = p.Build(DryRun).AssertSuccess();
        first.Check(first.StartedSteps.SequenceEqual(["plan"]), "Only the planning step runs: " + string.Join(", ", first.StartedSteps));
        first.Check(first.HasEvent("RUN", "copy (first run: it has not run before)"), "RUN │ copy (reason)");
        first.Check(first.HasEvent("RUN", "upper (input 'copy.txt' would be made again by step 'copy')"), "upper would run after copy");
        first.Check(first.HasEvent("RUN", "late (first run: it has not run before)"), "The step the planning step defined is seen through");
        first.Check(first.Output.Contains("StepUp (dry run): 4 would run, 0 up to date", StringComparison.Ordinal), "The dry-run summary");
        Assert.IsTrue(p.FileExists("plan.log"), "The planning step wrote what it writes");
        Assert.IsFalse(p.FileExists("copy.txt") || p.FileExists("upper.txt") || p.FileExists("late.txt"), "No other step wrote anything");
        Assert.IsFalse(p.FileExists(".stepup/report.html"), "A dry run writes no report");

        p.Build().AssertSuccess();
        var report = p.ReadFile(".stepup/report.html");
        p.WriteFile("data.txt", "two\n");

        var second = p.Build(DryRun).AssertSuccess();
        second.Check(!second.AnyStepStarted, "An up-to-date planning step does not run either");
        second.Check(second.HasEvent("RUN", "copy (static input 'data.txt' changed content)"), "The reason names the changed input");
        second.Check(second.HasEvent("RUN", "upper (input 'copy.txt' would be made again by step 'copy')"), "And what follows from it");
        second.Check(second.Skipped("plan") && second.Skipped("late"), "The others are listed as SKIP");
        second.Check(second.Output.Contains("StepUp (dry run): 2 would run, 2 up to date", StringComparison.Ordinal), "The dry-run summary");
        Assert.AreEqual("one\n", p.ReadFile("copy.txt"), "copy.txt is left as it was");
        Assert.AreEqual(report, p.ReadFile(".stepup/report.html"), "The report of the last real build is left as it was");

        var real = p.Build().AssertSuccess();
        real.Check(real.Ran("copy") && real.Ran("upper") && !real.Ran("late"), "The real build then runs what the dry run said");
    }
}
