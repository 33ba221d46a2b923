using StepUp.Tests.EndToEnd;

namespace StepUp.Tests.Slurm;

/// <summary>
/// The Slurm executor end to end: real `dotnet build`s of projects whose steps run as jobs of the
/// local test cluster (tests/slurm/start-cluster.sh). Each step records $SLURM_JOB_ID, so where it
/// ran is checked by what it wrote and by Slurm, never by timing.
/// </summary>
[TestClass]
public sealed class SlurmExecutorTests
{
    [TestMethod]
    public void Twenty_steps_with_dependencies_run_as_Slurm_jobs_and_a_second_build_skips_them_all()
    {
        using var p = SlurmBuild.Project();
        var items = new List<string>();
        for (var i = 0; i < 5; i++)
            items.Add($"""<Step Include="gen{i}" Command="echo $SLURM_JOB_ID &gt; ${"{out}"}" Out="gen{i}.txt" />""");
        for (var i = 0; i < 15; i++)
            items.Add($"""<Step Include="use{i}" Command="cat ${"{inp}"} &gt; ${"{out}"}; echo $SLURM_JOB_ID &gt;&gt; ${"{out}"}" Inp="gen{i % 5}.txt" Out="use{i}.txt" />""");
        p.WriteSteps([.. items]);

        var first = p.Build("-p:StepUpExecutor=slurm", "-p:StepUpJobs=20").AssertSuccess("Every step runs as a Slurm job");
        var ids = SlurmBuild.JobIds(first.Output);
        first.Check(ids.Count == 20, $"Each of the 20 steps is QUEUED with its job id (found {ids.Count})");
        first.Check(ids.Values.Distinct().Count() == 20, "One job per step");
        for (var i = 0; i < 5; i++)
            Assert.AreEqual(ids[$"gen{i}"], p.ReadFile($"gen{i}.txt").Trim(), $"gen{i} ran in the job the log names");
        for (var i = 0; i < 15; i++)
        {
            var lines = p.ReadFile($"use{i}.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            CollectionAssert.AreEqual(new[] { ids[$"gen{i % 5}"], ids[$"use{i}"] }, lines, $"use{i} read its input and ran in its own job");
        }

        var second = p.Build("-p:StepUpExecutor=slurm", "-p:StepUpJobs=20").AssertSuccess();
        second.Check(!second.AnyStepStarted && SlurmBuild.JobIds(second.Output).Count == 0, "Nothing runs and nothing is submitted");
        second.Check(second.Summary == "StepUp: 0 ran, 20 skipped, 0 failed, 0 removed", "All 20 steps are skipped");
    }

    [TestMethod]
    public void Cpus_Memory_Time_and_options_reach_Slurm_as_scontrol_shows_them()
    {
        using var p = SlurmBuild.Project();
        p.WriteProject("""
              <PropertyGroup>
                <StepUpExecutor>slurm</StepUpExecutor>
                <StepUpSlurmOptions>--comment=from-the-property --job-name=stepup-resources</StepUpSlurmOptions>
              </PropertyGroup>
              <ItemGroup>
                <Step Include="asks" Cpus="2" Memory="123M" Time="0:07:00" SlurmOptions="--comment='from the step'"
                      Command="scontrol show job $SLURM_JOB_ID &gt; ${out}" Out="job.txt" />
              </ItemGroup>
            """);

        var result = p.Build().AssertSuccess();
        var job = p.ReadFile("job.txt");
        Assert.AreEqual(SlurmBuild.JobIds(result.Output)["asks"], SlurmBuild.Field(job, "JobId"));
        Assert.AreEqual("2", SlurmBuild.Field(job, "NumCPUs"), job);
        Assert.AreEqual("123M", SlurmBuild.Field(job, "MinMemoryNode"), job);
        Assert.AreEqual("00:07:00", SlurmBuild.Field(job, "TimeLimit"), job);
        StringAssert.Contains(job, "Comment=from the step", "The step's SlurmOptions come after StepUpSlurmOptions and win");
        Assert.AreEqual("stepup-resources", SlurmBuild.Field(job, "JobName"), "StepUpSlurmOptions reach sbatch");
    }

    [TestMethod]
    public void A_failing_job_fails_the_build_with_its_exit_code_and_standard_error()
    {
        using var p = SlurmBuild.Project();
        p.WriteSteps(
            """<Step Include="ok" Executor="slurm" Command="echo fine &gt; ${out}" Out="ok.txt" />""",
            """<Step Include="bad" Executor="slurm" Command="echo partial; echo the-reason-it-broke &gt;&amp;2; exit 3" Out="bad.txt" />""");

        var result = p.Build("-p:StepUpKeepGoing=true").AssertFailure();
        result.Check(result.Succeeded("ok") && result.Failed("bad"), "The good job succeeds, the bad one fails");
        result.Check(result.ErrorLine(Codes.StepFailed)?.Contains("exit code 3") == true, "The error gives the job's exit code");
        p.AssertErrorAt(result, Codes.StepFailed, p.LineOf("Include=\"bad\""));
        StringAssert.Contains(result.Output, "the-reason-it-broke", "The job's standard error is shown");
        StringAssert.Contains(result.Output, "partial", "and its standard output");
        Assert.AreEqual("fine\n", p.ReadFile("ok.txt"));
    }

    [TestMethod]
    public void Sbatch_refusing_a_job_is_an_error_naming_the_step_and_Slurm_s_message()
    {
        using var p = SlurmBuild.Project();
        p.WriteSteps("""<Step Include="nowhere" Executor="slurm" Partition="no_such_partition" Command="echo x &gt; ${out}" Out="x.txt" />""");

        var result = p.Build().AssertFailure();
        var error = result.ErrorLine(Codes.SlurmRefused);
        result.Check(error != null && error.Contains("'nowhere'") && error.Contains("invalid partition", StringComparison.OrdinalIgnoreCase),
            "STEPUP0502 names the step and gives sbatch's own message");
        p.AssertErrorAt(result, Codes.SlurmRefused, p.LineOf("Include=\"nowhere\""));
    }

    [TestMethod]
    public void Bad_Slurm_metadata_is_an_error_at_its_item_before_anything_runs()
    {
        using var p = SlurmBuild.Project();
        p.WriteSteps(
            """<Step Include="fine" Executor="slurm" Command="echo x &gt; ${out}" Out="x.txt" />""",
            """<Step Include="greedy" Executor="slurm" Memory="lots" Command="echo y &gt; ${out}" Out="y.txt" />""",
            """<Step Include="elsewhere" Executor="cloud" Command="echo z &gt; ${out}" Out="z.txt" />""");

        var result = p.Build().AssertFailure();
        p.AssertErrorAt(result, Codes.BadSlurmMetadata, p.LineOf("Include=\"greedy\""));
        p.AssertErrorAt(result, Codes.BadSlurmMetadata, p.LineOf("Include=\"elsewhere\""));
        result.Check(!result.AnyStepStarted, "An invalid plan runs nothing");
        StringAssert.Contains(result.ErrorLine(Codes.BadSlurmMetadata), "'lots'");
    }

    [TestMethod]
    public void Local_and_Slurm_steps_mix_in_one_build_and_the_client_works_only_locally()
    {
        using var p = SlurmBuild.Project();
        p.WriteFile("amend.sh", "stepup amend --inp local.txt\n");
        p.WriteSteps(
            """<Step Include="here" Executor="local" Command="echo local:$SLURM_JOB_ID &gt; ${out}" Out="local.txt" />""",
            """<Step Include="there" Command="cat ${inp} &gt; ${out}; echo slurm:$SLURM_JOB_ID &gt;&gt; ${out}" Inp="local.txt" Out="both.txt" />""",
            """<Step Include="client" Command="stepup amend --inp local.txt; echo client:$SLURM_JOB_ID &gt; ${out}" Out="client.txt" />""",
            """<Step Include="hidden-client" Command="sh amend.sh &gt; ${out}" Out="hidden.txt" />""");

        var result = p.Build("-p:StepUpExecutor=slurm", "-p:StepUpKeepGoing=true").AssertFailure();
        var ids = SlurmBuild.JobIds(result.Output);
        CollectionAssert.AreEquivalent(new[] { "there", "hidden-client" }, ids.Keys.ToArray(), "Only the Slurm steps are queued");
        Assert.AreEqual($"local:\nslurm:{ids["there"]}\n", p.ReadFile("both.txt"), "A Slurm step reads a local step's output");
        Assert.AreEqual("client:\n", p.ReadFile("client.txt"), "A step whose command calls stepup runs locally");
        result.Check(result.Failed("hidden-client") && result.ErrorLine(Codes.StepFailed) != null, "A client call from a Slurm job fails the step");
        StringAssert.Contains(result.Output, Codes.ClientInSlurmJob + ": `stepup amend` works only in local steps");
    }

    [TestMethod]
    public void A_HyperWorkflow_sweep_runs_its_realizations_as_Slurm_jobs_and_Executor_may_vary_over_a_branch_point()
    {
        using var p = SlurmBuild.Project();
        p.WriteSteps(
            """<Step Include="sweep" Executor="slurm" Params="n=(N: 1..4)" Out="out" Command="echo ${n} $SLURM_JOB_ID &gt; ${out}" />""",
            """<Step Include="placed" Executor="${where}" Params="where=(Where: here=local there=slurm)" Out="out" Command="echo ${where}:$SLURM_JOB_ID &gt; ${out}" />""");

        var result = p.Build("-p:StepUpJobs=6").AssertSuccess();
        var ids = SlurmBuild.JobIds(result.Output);
        for (var n = 1; n <= 4; n++)
        {
            var key = ids.Keys.Single(k => k.StartsWith("sweep/", StringComparison.Ordinal) && p.ReadFile($"realizations/{k}/out").StartsWith($"{n} ", StringComparison.Ordinal));
            Assert.AreEqual($"{n} {ids[key]}\n", p.ReadFile($"realizations/{key}/out"), $"Realization N={n} ran in its own job");
        }
        Assert.AreEqual(5, ids.Count, "Four sweep realizations and one placed realization are jobs:\n" + string.Join("\n", ids.Keys));
        var placed = ids.Keys.Single(k => k.StartsWith("placed/", StringComparison.Ordinal));
        Assert.AreEqual($"slurm:{ids[placed]}\n", p.ReadFile($"realizations/{placed}/out"));
        Assert.AreEqual("local:\n", p.ReadFile("realizations/placed/Baseline.baseline/out"), "The baseline branch runs locally");
    }
}
