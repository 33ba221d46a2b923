namespace StepUp.Tests.EndToEnd;

/// <summary>Ctrl-C on `dotnet build` stops the running steps and fails the build with a clear error.</summary>
[TestClass]
public sealed class CancelTests
{
    [TestMethod]
    public void CtrlC_StopsTheRunningStep_AndItsChildren()
    {
        using var p = new TestProject();
        // The step records its own pid and its child's, then waits far longer than the test does.
        p.WriteSteps("""<Step Include="long" Command="echo $$ &gt; step.pid; sleep 300 &amp; echo $! &gt; child.pid; wait; echo done &gt; ${out}" Out="long.txt" />""");
        using var build = p.StartBuild();
        Assert.IsTrue(TestProject.WaitFor(() => p.FileExists("child.pid") && p.ReadFile("child.pid").Trim().Length > 0, TimeSpan.FromSeconds(90)),
            "The step should start:\n" + build.OutputSoFar);
        var pids = new[] { "step.pid", "child.pid" }.Select(f => int.Parse(p.ReadFile(f).Trim())).ToList();

        var (code, output) = Runner.RunTool("kill", ["-INT", build.Pid.ToString()], TimeSpan.FromSeconds(10));
        Assert.AreEqual(0, code, output);
        var result = build.Wait(TimeSpan.FromSeconds(60));

        Assert.AreNotEqual(0, result.ExitCode, "A cancelled build fails:\n" + result.Output);
        result.Check(result.HasError("STEPUP0105"), "The cancellation is reported as STEPUP0105");
        result.Check(result.HasEvent("CANCEL", "long") && !result.Failed("long"), "The stopped step is reported as cancelled, not failed");
        result.Check(result.Output.Contains("StepUp: 0 ran, 0 skipped, 0 failed, 0 removed, 1 cancelled", StringComparison.Ordinal),
            "The summary counts the stopped step as cancelled, not failed");
        foreach (var pid in pids)
            Assert.IsTrue(TestProject.WaitFor(() => !Directory.Exists("/proc/" + pid), TimeSpan.FromSeconds(10)),
                $"Process {pid} of the step should be stopped:\n{result.Output}");
        Assert.IsFalse(p.FileExists("long.txt"), "The stopped step made no output");
    }
}
