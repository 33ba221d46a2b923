using StepUp.Tests.EndToEnd;

namespace StepUp.Tests.Slurm;

/// <summary>
/// The Slurm executor when things go wrong around running jobs: a director killed while they run,
/// Ctrl-C on the build, Slurm's time limit. A class of its own (its tests wait for jobs) so that it
/// overlaps with the others.
/// </summary>
[TestClass]
public sealed class SlurmExecutorFaultTests
{
    static readonly string[] Live = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED"];

    [TestMethod]
    public void A_director_killed_while_jobs_run_is_followed_by_a_build_that_reattaches_without_submitting_again()
    {
        using var p = SlurmBuild.Project();
        // k0 and k1 end while no director watches; k2 still runs when the next build re-attaches.
        var release = new[] { p.PathOf("release"), p.PathOf("release"), p.PathOf("release-k2") };
        p.WriteSteps([.. Enumerable.Range(0, 3).Select(i =>
            $"""<Step Include="k{i}" Executor="slurm" Cpus="1" Time="10" Command="echo $SLURM_JOB_ID &gt; k{i}.started; while [ ! -e '{release[i]}' ]; do sleep 0.2; done; echo $SLURM_JOB_ID &gt; ${"{out}"}" Out="k{i}.txt" />""")]);

        Dictionary<string, string> first;
        using (var build = p.StartBuild("-p:StepUpJobs=3"))
        {
            // The test node has two CPUs (which other tests' jobs may hold): some jobs run, others may wait.
            var seen = TestProject.WaitFor(() => SlurmBuild.JobIds(build.OutputSoFar).Count == 3
                && Enumerable.Range(0, 3).Any(i => p.FileExists($"k{i}.started")) || build.HasExited, TimeSpan.FromSeconds(120));
            Assert.IsTrue(seen && !build.HasExited, "Three jobs should be submitted and one running:\n" + build.OutputSoFar);
            first = SlurmBuild.JobIds(build.OutputSoFar);
            foreach (var pid in p.DirectorPids()) Proc.Signal(pid, "KILL");
            build.Wait(TimeSpan.FromSeconds(120)).AssertFailure("The build whose director was killed fails");
        }
        Assert.IsTrue(SlurmBuild.States(first.Values).Values.All(Live.Contains), "The jobs outlive the director");

        File.WriteAllText(release[0], "");
        Assert.IsTrue(TestProject.WaitFor(() => p.FileExists("k0.txt") && p.FileExists("k1.txt"), TimeSpan.FromSeconds(240)),
            "The released jobs end");

        BuildResult second;
        using (var build = p.StartBuild("-p:StepUpJobs=3"))
        {
            var reattached = TestProject.WaitFor(() => build.OutputSoFar.Contains($"k2 (job {first["k2"]}, re-attached)") || build.HasExited,
                TimeSpan.FromSeconds(120));
            Assert.IsTrue(reattached && !build.HasExited, "k2 should be re-attached to its job:\n" + build.OutputSoFar);
            Assert.IsTrue(SlurmBuild.States([first["k2"]]).Values.All(Live.Contains), "k2's job still runs while the build waits for it");
            File.WriteAllText(release[2], "");
            second = build.Wait(TimeSpan.FromSeconds(120)).AssertSuccess("The next build takes the jobs' results");
        }
        for (var i = 0; i < 3; i++)
        {
            var step = $"k{i}";
            second.Check(second.HasEvent("QUEUED", $"{step} (job {first[step]}, re-attached)"), $"{step} is re-attached to job {first[step]}");
            second.Check(SlurmBuild.Submissions(second.Output, step) == 0, $"{step} is not submitted again");
            second.Check(second.Succeeded(step), $"{step} succeeds");
            Assert.AreEqual(first[step] + "\n", p.ReadFile($"k{i}.txt"), "The output is the first job's");
        }

        var third = p.Build("-p:StepUpJobs=3").AssertSuccess();
        third.Check(!third.AnyStepStarted && SlurmBuild.JobIds(third.Output).Count == 0, "Then everything is up to date");
    }

    [TestMethod]
    public void CtrlC_cancels_the_build_s_queued_and_running_jobs()
    {
        using var p = SlurmBuild.Project();
        // Each job takes both CPUs of the test node: at most one runs, the others wait in the queue.
        p.WriteSteps([.. Enumerable.Range(0, 3).Select(i =>
            $"""<Step Include="c{i}" Executor="slurm" Cpus="2" Time="10" Command="sleep 300; echo late &gt; ${"{out}"}" Out="c{i}.txt" />""")]);

        Dictionary<string, string> ids;
        BuildResult result;
        using (var build = p.StartBuild("-p:StepUpJobs=3"))
        {
            var seen = TestProject.WaitFor(() => SlurmBuild.JobIds(build.OutputSoFar).Count == 3 || build.HasExited, TimeSpan.FromSeconds(120));
            Assert.IsTrue(seen && !build.HasExited, "Three jobs should be queued:\n" + build.OutputSoFar);
            ids = SlurmBuild.JobIds(build.OutputSoFar);
            Assert.IsTrue(SlurmBuild.States(ids.Values).Values.Contains("PENDING"), "Some job is still queued");
            var (code, output) = Runner.RunTool("kill", ["-INT", build.Pid.ToString()], TimeSpan.FromSeconds(10));
            Assert.AreEqual(0, code, output);
            result = build.Wait(TimeSpan.FromSeconds(120));
        }

        result.AssertFailure("A cancelled build fails");
        result.Check(result.HasError(Codes.Cancelled), "The cancellation is reported as STEPUP0105");
        Assert.IsTrue(TestProject.WaitFor(() => !SlurmBuild.States(ids.Values).Values.Any(Live.Contains), TimeSpan.FromSeconds(60)),
            "No job of the build is left queued or running: " + string.Join(", ", SlurmBuild.States(ids.Values)));
        Assert.IsFalse(Enumerable.Range(0, 3).Any(i => p.FileExists($"c{i}.txt")), "No cancelled job made its output");
    }
}
