namespace StepUp.Tests.EndToEnd;

/// <summary>What runs, when, and with what: jobs, named resources, optional steps, Env, StepUpTargets, Workdir.</summary>
[TestClass]
public sealed class SchedulingTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>`sh meet.sh ME OTHER`: succeeds only if OTHER starts while ME runs (bounded wait: 200 x 0.05 s).</summary>
    const string MeetScript = """
        #!/bin/sh
        echo "start $1" >> meet.log
        i=0
        while ! grep -qx "start $2" meet.log; do
          i=$((i + 1))
          if [ "$i" -gt 200 ]; then echo "$1 never saw $2 start"; exit 1; fi
          sleep 0.05
        done
        echo "end $1" >> meet.log

        """;

    /// <summary>`sh excl.sh ME OTHER OUT`: fails if OTHER runs at any time while ME runs (about 0.5 s).</summary>
    const string ExclusiveScript = """
        #!/bin/sh
        if [ -e "running.$2" ]; then echo "$2 is running while $1 starts"; exit 1; fi
        touch "running.$1"
        i=0
        while [ "$i" -lt 10 ]; do
          if [ -e "running.$2" ]; then echo "$2 started while $1 runs"; rm -f "running.$1"; exit 1; fi
          i=$((i + 1))
          sleep 0.05
        done
        rm -f "running.$1"
        echo "$1" > "$3"

        """;

    [TestMethod]
    public void TwoIndependentSteps_RunAtTheSameTime_WithTwoJobs()
    {
        using var p = new TestProject(_home);
        p.WriteFile("meet.sh", MeetScript);
        p.WriteSteps(
            """<Step Include="left" Command="sh meet.sh left right" />""",
            """<Step Include="right" Command="sh meet.sh right left" />""");

        var r = p.Build("-p:StepUpJobs=2").AssertSuccess("Each step waits for the other to start: both succeed only if they overlapped");
        r.Check(r.Succeeded("left") && r.Succeeded("right"), "Both steps should succeed");
        var log = p.ReadFile("meet.log");
        StringAssert.Contains(log, "end left");
        StringAssert.Contains(log, "end right");
    }

    [TestMethod]
    public void TwoIndependentSteps_NeverOverlap_WithOneJob()
    {
        using var p = new TestProject(_home);
        p.WriteFile("excl.sh", ExclusiveScript);
        p.WriteSteps(
            """<Step Include="one" Command="sh excl.sh one two ${out}" Out="one.txt" />""",
            """<Step Include="two" Command="sh excl.sh two one ${out}" Out="two.txt" />""");

        var r = p.Build("-p:StepUpJobs=1").AssertSuccess("With StepUpJobs=1 the steps must run one after the other");
        Assert.IsTrue(p.FileExists("one.txt") && p.FileExists("two.txt"));
    }

    [TestMethod]
    public void StepsHoldingTheOnlyUnitOfAResource_NeverOverlap()
    {
        using var p = new TestProject(_home);
        p.WriteFile("excl.sh", ExclusiveScript);
        p.WriteSteps(
            """<Step Include="train" Command="sh excl.sh train infer ${out}" Out="train.txt" Resources="gpu:1" />""",
            """<Step Include="infer" Command="sh excl.sh infer train ${out}" Out="infer.txt" Resources="gpu:1" />""");

        var r = p.Build("-p:StepUpJobs=2", "-p:StepUpResources=gpu:1")
            .AssertSuccess("Two steps that each need gpu:1, with one gpu unit, must not overlap");
        r.Check(r.Succeeded("train") && r.Succeeded("infer"), "Both steps should succeed");
    }

    [TestMethod]
    public void OptionalStep_RunsOnlyWhenANonOptionalStepNeedsIt()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="needed" Command="echo needed &gt; ${out}" Out="needed.txt" Optional="true" />""",
            """<Step Include="unneeded" Command="echo unneeded &gt; ${out}" Out="unneeded.txt" Optional="true" />""",
            """<Step Include="consumer" Command="cat ${inp} &gt; ${out}" Inp="needed.txt" Out="copy.txt" />""");

        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("needed") && r.Ran("consumer"), "The optional step that consumer needs should run, then consumer");
        r.Check(!r.Ran("unneeded"), "An optional step that nothing needs should not run");
        Assert.IsFalse(p.FileExists("unneeded.txt"));
        Assert.AreEqual("needed\n", p.ReadFile("copy.txt"));
    }

    [TestMethod]
    public void ListedEnvVariable_RerunsStepWhenItChanges_UnlistedDoesNot()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="listed" Command="echo $E2E_LISTED &gt; ${out}" Env="E2E_LISTED" Out="listed.txt" />""",
            """<Step Include="unlisted" Command="echo $E2E_UNLISTED &gt; ${out}" Out="unlisted.txt" />""");

        p.Env["E2E_LISTED"] = "one";
        p.Env["E2E_UNLISTED"] = "one";
        p.Build().AssertSuccess();
        Assert.AreEqual("one\n", p.ReadFile("listed.txt"), "A step sees the environment of the dotnet build");
        Assert.AreEqual("one\n", p.ReadFile("unlisted.txt"));

        p.Env["E2E_LISTED"] = "two";
        p.Env["E2E_UNLISTED"] = "two";
        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("listed"), "The value of a variable listed in Env changed: the step should run again");
        r.Check(!r.Ran("unlisted") && r.Skipped("unlisted"), "A variable not listed in Env is not part of the hash: skip");
        Assert.AreEqual("two\n", p.ReadFile("listed.txt"));
        Assert.AreEqual("one\n", p.ReadFile("unlisted.txt"));
    }

    [TestMethod]
    public void StepUpTargets_BuildsOnlyWhatTheTargetNeeds_AndCleansNoOrphans()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="old" Command="echo old &gt; ${out}" Out="old.txt" />""");
        p.Build().AssertSuccess();
        Assert.IsTrue(p.FileExists("old.txt"));

        // `old` is gone from the project: its output is an orphan.
        p.WriteSteps(
            """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="story.txt" />""",
            """<Step Include="lines" Command="grep line ${inp} &gt; ${out}" Inp="story.txt" Out="lines.txt" />""",
            """<Step Include="other" Command="echo other &gt; ${out}" Out="other.txt" />""");
        var partial = p.Build("-p:StepUpTargets=lines.txt").AssertSuccess();
        partial.Check(partial.Ran("story") && partial.Ran("lines"), "lines.txt and what it needs should be built");
        partial.Check(!partial.Ran("other"), "A step the target does not need should not run");
        Assert.IsFalse(p.FileExists("other.txt"));
        Assert.IsTrue(p.FileExists("lines.txt"));
        partial.Check(!partial.Removed("old.txt"), "A build restricted by StepUpTargets removes no orphan");
        Assert.IsTrue(p.FileExists("old.txt"), "A build restricted by StepUpTargets removes no orphan");

        var full = p.Build().AssertSuccess();
        full.Check(full.Ran("other") && !full.Ran("story") && !full.Ran("lines"), "The full build runs only what is left");
        full.Check(full.Removed("old.txt"), "The complete build removes the orphan");
        Assert.IsFalse(p.FileExists("old.txt"));
    }

    [TestMethod]
    public void Workdir_Placeholders_OutputFolders_AndStepEnvironment()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="where" Workdir="sub" Command="pwd &gt; ${out}; echo $STEPUP_ROOT &gt;&gt; ${out}" Out="where.txt" />""",
            """<Step Include="deep" Command="echo deep &gt; ${out}" Out="a/b/c/deep.txt" />""",
            """<Step Include="spaced" Command="cat ${inp} &gt; ${out}" Inp="a/b/c/deep.txt" Out="with space.txt" />""");

        p.Build().AssertSuccess();
        var where = p.ReadFile("sub/where.txt").Split('\n');
        Assert.AreEqual(p.PathOf("sub"), where[0], "A step runs in its Workdir, relative to the project root");
        Assert.AreEqual(p.Root, where[1].TrimEnd('/'), "A step sees STEPUP_ROOT, the project root");
        Assert.AreEqual("deep\n", p.ReadFile("a/b/c/deep.txt"), "The director creates the parent folders of outputs");
        Assert.AreEqual("deep\n", p.ReadFile("with space.txt"), "Placeholders are shell-quoted where needed");
    }
}
