namespace StepUp.Tests.Slurm;

/// <summary>
/// A Slurm step over its Time. Slurm counts time limits in whole minutes and checks them about every
/// half minute, so this takes a minute or two: a class of its own, to overlap with the others.
/// </summary>
[TestClass]
public sealed class SlurmExecutorTimeLimitTests
{
    [TestMethod]
    public void A_step_over_its_Time_fails_with_Slurm_s_time_limit_and_keeps_its_output_so_far()
    {
        using var p = SlurmBuild.Project();
        p.WriteSteps("""<Step Include="slow" Executor="slurm" Time="1" Command="echo started; sleep 600; echo done &gt; ${out}" Out="slow.txt" />""");

        using var build = p.StartBuild();
        var result = build.Wait(TimeSpan.FromMinutes(6)).AssertFailure();
        var error = result.ErrorLine(Codes.SlurmEndedJob);
        result.Check(error != null && error.Contains("'slow'") && error.Contains("time limit") && error.Contains("TIMEOUT") && error.Contains("TimeLimit"),
            "STEPUP0503 names the step and gives Slurm's state and reason");
        p.AssertErrorAt(result, Codes.SlurmEndedJob, p.LineOf("Include=\"slow\""));
        result.Check(result.Failed("slow"), "The step fails");
        StringAssert.Contains(result.Output, "started", "The output so far is shown");
        Assert.IsFalse(p.FileExists("slow.txt"));
    }
}
