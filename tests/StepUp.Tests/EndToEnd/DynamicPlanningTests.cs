using System.Diagnostics;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// Steps that plan while they run (§4 of the contract): planning steps that define steps with the
/// Python package or the `stepup` command, amended inputs that are not built yet, cycles found while
/// planning, seed 002's plan.py, and the Python client outside a build.
/// </summary>
[TestClass]
public sealed class DynamicPlanningTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string PlanStep = """<Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />""";

    // 4. A planning step defines steps; defining fewer makes orphans; a skipped planning step keeps its steps.

    [TestMethod]
    public void PlanningStep_KeepsItsStepsWhenSkipped_AndOrphansWhatItNoLongerDefines()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        const string header = """
            #!/usr/bin/env python3
            from stepup.core.api import step

            """;
        const string one = "step(\"echo one > ${out}\", out=\"one.txt\")\n";
        const string two = "step(\"echo two > ${out}\", out=\"two.txt\", name=\"two\")\n";
        const string oneLabel = "echo one > one.txt";
        p.WriteFile("plan.py", header + one + two, executable: true);
        p.WriteSteps(PlanStep);

        var first = p.Build().AssertSuccess();
        first.Check(first.Succeeded("plan"), "The planning step should succeed");
        first.Check(first.Ran(oneLabel) && first.Succeeded(oneLabel), $"A step defined without a name is labelled by its command: `{oneLabel}`");
        first.Check(first.Ran("two") && first.Succeeded("two"), "A step defined with name=\"two\" is labelled `two`");
        Assert.AreEqual("one\n", p.ReadFile("one.txt"));
        Assert.AreEqual("two\n", p.ReadFile("two.txt"));

        var second = p.Build().AssertSuccess();
        second.Check(!second.AnyStepStarted, "Nothing changed: no step should start");
        second.Check(second.Skipped("plan") && second.Skipped(oneLabel) && second.Skipped("two"),
            "The skipped planning step keeps its steps: plan, and the steps it defined, are SKIP");
        second.Check(!second.Removed("one.txt") && !second.Removed("two.txt"), "Nothing is removed");
        Assert.IsTrue(p.FileExists("one.txt") && p.FileExists("two.txt"), "The outputs of the kept steps remain");

        p.DeleteFile("two.txt");
        var missing = p.Build().AssertSuccess();
        missing.Check(missing.Skipped("plan") && !missing.Ran("plan"), "plan.py did not change: the planning step is SKIP");
        missing.Check(missing.Ran("two") && !missing.Ran(oneLabel), "A kept step whose output is missing runs again, alone");
        Assert.AreEqual("two\n", p.ReadFile("two.txt"));

        p.WriteFile("plan.py", header + one, executable: true);
        var third = p.Build().AssertSuccess();
        third.Check(third.Ran("plan"), "plan.py changed: the planning step runs");
        third.Check(third.Skipped(oneLabel) && !third.Ran(oneLabel), "The step defined the same way is skipped");
        third.Check(!third.Ran("two"), "The step no longer defined does not run");
        third.Check(third.Removed("two.txt"), "The orphaned output should be reported as `REMOVE │ two.txt`");
        Assert.IsFalse(p.FileExists("two.txt"), "The orphaned output is removed from disk");
        Assert.AreEqual("one\n", p.ReadFile("one.txt"));
    }

    // 5. A step amends an input that is not built yet: it is deferred and runs again once the input exists.

    /// <summary>
    /// Makes flag.txt (which `make` needs) only once `use` and `usepy` have found gen.txt missing, so
    /// that both always ask for gen.txt before it is built.
    /// </summary>
    const string WaitScript = """
        i=0
        while [ ! -e use.deferred ] || [ ! -e usepy.deferred ]; do
          i=$((i + 1))
          if [ "$i" -gt 1200 ]; then echo "use never asked for gen.txt" >&2; exit 1; fi
          sleep 0.05
        done
        echo go > "$1"

        """;

    [TestMethod]
    public void AmendedInputNotBuiltYet_DefersTheStep_ThenRunsItAgain()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("wait.sh", WaitScript);
        p.WriteFile("src.txt", "hello\n");
        p.WriteFile("use.py", """
            #!/usr/bin/env python3
            from stepup.core.api import InputNotFoundError, amend

            try:
                amend(inp="gen.txt")
            except InputNotFoundError:
                open("usepy.deferred", "w").close()  # tells wait.sh that it may go on
                raise
            with open("gen.txt") as fh:
                text = fh.read()
            with open("outpy.txt", "w") as fh:
                fh.write(text)

            """, executable: true);
        p.WriteSteps(
            """<Static Include="src.txt;wait.sh;use.py" />""",
            """<Step Include="usepy" Command="./use.py" Inp="use.py" Out="outpy.txt" />""",
            """<Step Include="slow" Command="sh wait.sh ${out}" Inp="wait.sh" Out="flag.txt" />""",
            """<Step Include="use" Command="stepup amend --inp gen.txt || { echo $? &gt; amend.code; touch use.deferred; exit 1; }; cat gen.txt &gt; ${out}" Out="out.txt" />""",
            """<Step Include="make" Command="cat src.txt &gt; ${out}" Inp="src.txt;flag.txt" Out="gen.txt" />""");
        const string jobs = "-p:StepUpJobs=2";

        var first = p.Build(jobs).AssertSuccess("A step that amends an input not built yet should not fail the build");
        var lines = first.Lines;
        int Index(string tag, string step, int from = 0) =>
            Array.FindIndex(lines, from, l => BuildResult.EventRegex(tag, step).IsMatch(l));
        var start1 = Index("START", "use");
        var deferred = Index("DEFERRED", "use");
        var makeDone = Index("SUCCESS", "make");
        var start2 = deferred < 0 ? -1 : Index("START", "use", deferred + 1);
        var success = Index("SUCCESS", "use");
        first.Check(start1 >= 0 && deferred > start1, "`use` should start, then be reported `DEFERRED │ use`");
        first.Check(makeDone > deferred && start2 > makeDone, "`use` should start again after `make` made gen.txt");
        first.Check(success > start2, "The second run of `use` should succeed");
        first.Check(!first.Failed("use") && !first.HasAnyStepUpError, "A deferral is no failure");
        Assert.AreEqual("75\n", p.ReadFile("amend.code"), "`stepup amend` exits with 75 when an amended input is not built yet");
        Assert.AreEqual("hello\n", p.ReadFile("out.txt"), "out.txt has gen.txt's content");

        // The same with amend() of the Python package.
        var pyDeferred = Index("DEFERRED", "usepy");
        first.Check(pyDeferred >= 0, "`usepy` should be reported `DEFERRED │ usepy`");
        var pyStart2 = pyDeferred < 0 ? -1 : Index("START", "usepy", pyDeferred + 1);
        first.Check(pyStart2 > makeDone && Index("SUCCESS", "usepy") > pyStart2, "`usepy` should run again after `make`, and succeed");
        Assert.AreEqual("hello\n", p.ReadFile("outpy.txt"), "outpy.txt has gen.txt's content");

        var second = p.Build(jobs).AssertSuccess();
        second.Check(!second.AnyStepStarted, "Nothing changed: no step should start");
        second.Check(second.Skipped("use") && second.Skipped("make") && second.Skipped("slow"), "All steps should be SKIP");

        p.WriteFile("src.txt", "bye\n");
        var third = p.Build(jobs).AssertSuccess();
        third.Check(third.Ran("make") && third.Ran("use") && third.Ran("usepy"),
            "The input of make changed: make runs, and use and usepy, which amended gen.txt, run again");
        third.Check(!third.Ran("slow"), "slow did not change");
        Assert.AreEqual("bye\n", p.ReadFile("out.txt"));
        Assert.AreEqual("bye\n", p.ReadFile("outpy.txt"));
    }

    // 6. Cycles made while the build runs are reported, not a hang.

    [TestMethod]
    public void PlanningStepDefiningACycle_FailsWithTheCycleNamed()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("plan.py", """
            #!/usr/bin/env python3
            from stepup.core.api import step

            step("cp x.txt y.txt", name="forth", inp="x.txt", out="y.txt")
            step("cp y.txt x.txt", name="back", inp="y.txt", out="x.txt")

            """, executable: true);
        p.WriteSteps(PlanStep);

        var r = p.Build().AssertFailure("A definition that closes a dependency cycle fails the build");
        r.Check(r.Failed("plan"), "The planning step whose definition was refused should fail");
        p.AssertErrorAt(r, "STEPUP0101", p.LineOf("Include=\"plan\""));
        var refusal = r.Lines.FirstOrDefault(l => l.Contains("cycle", StringComparison.OrdinalIgnoreCase) && !l.Contains("STEPUP0101", StringComparison.Ordinal));
        r.Check(refusal != null, "The plan step's output should say that the definition closes a cycle");
        r.Check(refusal!.Contains("forth", StringComparison.Ordinal) && refusal.Contains("back", StringComparison.Ordinal),
            "The cycle message should name both steps, got `" + refusal + "`");
        r.Check(!r.Ran("forth") && !r.Ran("back"), "No step of the cycle runs");
    }

    [TestMethod]
    public void StepsAmendingEachOthersOutputs_EndWithACycleError()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="ping" Command="stepup amend --inp pong.txt || exit 1; echo ping &gt; ${out}" Out="ping.txt" />""",
            """<Step Include="pong" Command="stepup amend --inp ping.txt || exit 1; echo pong &gt; ${out}" Out="pong.txt" />""");

        var r = p.Build().AssertFailure("Two steps that need each other's outputs cannot both run");
        r.Check(r.HasAnyStepUpError, "The build should end with a STEPUP error");
        var cycle = r.Lines.FirstOrDefault(l => l.Contains("cycle", StringComparison.OrdinalIgnoreCase));
        r.Check(cycle != null, "The output should report the dependency cycle");
        r.Check(cycle!.Contains("ping", StringComparison.Ordinal) && cycle.Contains("pong", StringComparison.Ordinal),
            "The cycle message should name both steps, got `" + cycle + "`");
        Assert.IsFalse(p.FileExists("ping.txt") && p.FileExists("pong.txt"), "The two steps cannot both have succeeded");
    }

    // 7. The `stepup` command in shell steps.

    [TestMethod]
    public void StepupCommand_DefinesSteps_DeclaresStaticFiles_AndHasHelp()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "data\n");
        const string hello = """<Step Include="plan" Command="stepup step --name hello --out hello.txt -- 'echo hi &gt; hello.txt'" Planning="true" />""";
        const string help = """<Step Include="help" Command="stepup --help &gt; ${out}" Out="help.txt" />""";
        const string withStatic = """<Step Include="plan2" Command="stepup static data.txt &amp;&amp; stepup step --inp data.txt --out copy.txt -- cp data.txt copy.txt" Planning="true" />""";
        const string copyLabel = "cp data.txt copy.txt";
        const string inSub = """<Step Include="plan3" Command="stepup step --workdir sub --out where.txt -- 'pwd &gt; where.txt'" Planning="true" />""";
        // The script protocol without Python: `stepup script` defines `./gen.sh plan`, which defines `./gen.sh run`.
        p.WriteFile("gen.sh", """
            #!/bin/sh
            case "$1" in
              plan) stepup step --inp gen.sh --out gen.txt -- ./gen.sh run ;;
              run) echo generated > gen.txt ;;
              *) echo "usage: gen.sh plan|run" >&2; exit 2 ;;
            esac

            """, executable: true);
        const string script = """<Step Include="plan4" Command="stepup script gen.sh &amp;&amp; stepup graph graph" Planning="true" />""";
        p.WriteSteps(hello, help, withStatic, inSub, script);

        var r = p.Build().AssertSuccess();
        r.Check(r.Succeeded("plan"), "The planning step should succeed");
        r.Check(r.Ran("hello") && r.Succeeded("hello"), "`stepup step --name hello` defines a step labelled hello, which runs");
        Assert.AreEqual("hi\n", p.ReadFile("hello.txt"), "The words after -- are the command");
        r.Check(r.Succeeded("help"), "`stepup --help` works in a step");
        var helpText = p.ReadFile("help.txt");
        foreach (var command in new[] { "step", "static", "amend", "script", "graph" })
            StringAssert.Contains(helpText, "stepup " + command, "`stepup --help` should describe `stepup " + command + "`");
        r.Check(r.Ran(copyLabel) && r.Succeeded(copyLabel), $"The step defined without a name is labelled by its command `{copyLabel}`");
        Assert.AreEqual("data\n", p.ReadFile("copy.txt"), "A file declared static by `stepup static` is a usable input");
        r.Check(r.StartedSteps.Any(s => s is "pwd > where.txt  # wd=sub" or "pwd > where.txt  # wd=sub/"),
            "A step without a name in workdir sub is labelled `pwd > where.txt  # wd=sub`");
        Assert.AreEqual(p.PathOf("sub"), p.ReadFile("sub/where.txt").TrimEnd('\n'), "--workdir sub: the step runs in sub, its output is relative to sub");
        r.Check(r.Succeeded("./gen.sh plan") && r.Succeeded("./gen.sh run"), "`stepup script gen.sh` plans `./gen.sh plan`, which plans `./gen.sh run`");
        Assert.AreEqual("generated\n", p.ReadFile("gen.txt"));
        Assert.IsTrue(GraphFiles.Nodes(p.ReadFile("graph.txt")).ContainsKey("step:plan4"), "`stepup graph graph` writes graph.txt");

        // Without `stepup static`, data.txt is neither static nor made by a step.
        p.WriteSteps(hello, help, withStatic.Replace("stepup static data.txt &amp;&amp; ", "", StringComparison.Ordinal), inSub, script);
        var missing = p.Build().AssertFailure("Without `stepup static`, data.txt is not a usable input");
        missing.Check(missing.HasError("STEPUP0104"), "The step should be reported as unable to run (STEPUP0104)");
        missing.Check(missing.ErrorLines("STEPUP0104").Any(l => l.Contains("data.txt", StringComparison.Ordinal) && l.Contains(copyLabel, StringComparison.Ordinal)),
            "The error should name the step and data.txt");
    }

    // 8. Seed 002's plan.py: the same workflow as the .stepproj version, and its "Try the following".

    const string Seed002 = """
        #!/usr/bin/env python3
        from stepup.core.api import graph, runsh

        runsh("echo First line. > ${out}; echo Second line. >> ${out}", out="story.txt")
        runsh("grep First ${inp}", inp="story.txt")
        graph("graph")

        """;

    const string EchoLabel = "echo First line. > story.txt; echo Second line. >> story.txt";
    const string GrepLabel = "grep First story.txt";

    static bool StdoutLine(BuildResult r, string text) => r.Lines.Any(l => l.Trim() == text);

    [TestMethod]
    public void Seed002PlanPy_BuildsTheSameWorkflowAsTheStepproj()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("plan.py", Seed002, executable: true);
        p.WriteSteps(PlanStep);

        var r = p.Build().AssertSuccess();
        r.Check(r.Succeeded("plan") && r.Succeeded(EchoLabel) && r.Succeeded(GrepLabel), "plan and the two steps it defines should succeed");
        Assert.AreEqual("First line.\nSecond line.\n", p.ReadFile("story.txt"));
        r.Check(StdoutLine(r, "First line."), "grep's output `First line.` should be in the log");
        r.Check(!StdoutLine(r, "Second line."), "grep First prints only the first line");

        Assert.IsTrue(p.FileExists("graph.txt") && p.FileExists("graph_dependency.dot") && p.FileExists("graph_provenance.dot"),
            "graph(\"graph\") in plan.py writes the three graph files");
        var text = p.ReadFile("graph.txt");
        var nodes = GraphFiles.Nodes(text);
        Assert.IsTrue(nodes.ContainsKey("file:story.txt"), "graph.txt lists file:story.txt:\n" + text);
        Assert.IsTrue(nodes.ContainsKey("step:" + GrepLabel), $"graph.txt lists step:{GrepLabel}:\n" + text);
        CollectionAssert.Contains(GraphFiles.Related(text, "step:plan", "creates").ToList(), "step:" + GrepLabel, "plan creates the grep step:\n" + text);
        CollectionAssert.Contains(GraphFiles.Related(text, "file:story.txt", "supplies").ToList(), "step:" + GrepLabel, "story.txt supplies grep:\n" + text);
        var dynamic = GraphFiles.ReadDot(p.ReadFile("graph_dependency.dot"));

        // The same workflow written as <Step> items.
        using var q = new TestProject(_home);
        q.WriteSteps(
            """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="story.txt" />""",
            """<Step Include="grep" Command="grep First ${inp}" Inp="story.txt" />""");
        q.Build().AssertSuccess();
        q.Build("-t:StepUpGraph").AssertSuccess();
        var items = GraphFiles.ReadDot(q.ReadFile("graph_dependency.dot"));

        // plan.py adds its own planning step and plan.py; the rest has the same structure.
        var dynamicWork = dynamic.Without("plan", "plan.py");
        CollectionAssert.AreEquivalent(items.FileLabels.ToList(), dynamicWork.FileLabels.ToList(), "The same files in both dependency graphs");
        Assert.AreEqual(items.StepCount, dynamicWork.StepCount, "The same number of steps besides plan");
        Assert.AreEqual(items.Edges.Count, dynamicWork.Edges.Count, "The same number of dependency edges besides plan's");
        CollectionAssert.AreEqual(items.Structure().ToList(), dynamicWork.Structure().ToList(),
            "The step making story.txt supplies file:story.txt, which supplies the grep step, in both graphs");
        CollectionAssert.Contains(items.Structure().ToList(), "file:story.txt -> step(inp=story.txt; out=)");
        CollectionAssert.Contains(items.Structure().ToList(), "step(inp=; out=story.txt) -> file:story.txt");
    }

    [TestMethod]
    public void Seed002PlanPy_TryTheFollowing()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("plan.py", Seed002, executable: true);
        p.WriteSteps(PlanStep);
        p.Build().AssertSuccess();

        var again = p.Build().AssertSuccess();
        again.Check(!again.AnyStepStarted, "Run again: every step should be skipped");
        again.Check(again.Skipped("plan") && again.Skipped(EchoLabel) && again.Skipped(GrepLabel), "plan, echo and grep should be SKIP");

        const string grepSecond = "grep Second story.txt";
        p.WriteFile("plan.py", Seed002.Replace("grep First", "grep Second", StringComparison.Ordinal), executable: true);
        var changed = p.Build().AssertSuccess();
        changed.Check(changed.Ran("plan") && changed.Ran(grepSecond), "The changed plan.py and the new grep should run");
        changed.Check(!changed.Ran(EchoLabel) && changed.Skipped(EchoLabel), "The echo step did not change: SKIP");
        changed.Check(StdoutLine(changed, "Second line."), "grep Second prints the second line");

        var lines = Seed002.Replace("grep First", "grep Second", StringComparison.Ordinal).Split('\n').ToList();
        var echoAt = lines.FindIndex(l => l.StartsWith("runsh(\"echo", StringComparison.Ordinal));
        var grepAt = lines.FindIndex(l => l.StartsWith("runsh(\"grep", StringComparison.Ordinal));
        (lines[echoAt], lines[grepAt]) = (lines[grepAt], lines[echoAt]);
        p.WriteFile("plan.py", string.Join('\n', lines), executable: true);
        var swapped = p.Build().AssertSuccess();
        swapped.Check(swapped.Ran("plan"), "plan.py changed: it runs");
        swapped.Check(swapped.StartedSteps.SequenceEqual(["plan"]), "Only plan runs: plan.py is nothing but a plan");
        swapped.Check(swapped.Skipped(EchoLabel) && swapped.Skipped(grepSecond), "echo and grep should be SKIP");

        p.WriteFile("plan.py", Seed002.Replace("story.txt", "lines.txt", StringComparison.Ordinal), executable: true);
        var renamed = p.Build().AssertSuccess();
        renamed.Check(renamed.Ran(EchoLabel.Replace("story.txt", "lines.txt", StringComparison.Ordinal)), "The renamed echo step runs");
        renamed.Check(renamed.Removed("story.txt"), "The old output should be reported as `REMOVE │ story.txt`");
        Assert.IsFalse(p.FileExists("story.txt"), "The orphaned story.txt is removed from disk");
        Assert.AreEqual("First line.\nSecond line.\n", p.ReadFile("lines.txt"));
    }

    // 9. The Python client outside a build prints what it would send.

    [TestMethod]
    public void PlanPyRunByHand_PrintsWhatItWouldSend()
    {
        var python = PythonSteps.Require();
        var dir = Path.Combine(SdkFeed.RunDir, "byhand-" + Names.Random(8));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "plan.py"), Seed002);
            var psi = new ProcessStartInfo(python)
            {
                WorkingDirectory = dir,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            psi.ArgumentList.Add("plan.py");
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("STEPUP_", StringComparison.OrdinalIgnoreCase)).ToList())
                psi.Environment.Remove(key);
            psi.Environment["PYTHONPATH"] = Path.Combine(SdkFeed.RepoRoot, "src", "python");
            // No __pycache__ in src/python: it is packed as the SDK's tools/python.
            psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            using var process = Process.Start(psi)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("python3 plan.py did not finish within 60 s");
            }
            process.WaitForExit();
            var output = stdout.Result + stderr.Result;
            Assert.AreEqual(0, process.ExitCode, "plan.py run by hand should exit 0:\n" + output);
            var sent = stdout.Result.Split('\n').Where(l => l.StartsWith("stepup: would send api.step ", StringComparison.Ordinal)).ToList();
            Assert.AreEqual(2, sent.Count, "Each runsh() prints `stepup: would send api.step ...`:\n" + output);
            StringAssert.Contains(sent[0], "story.txt");
            StringAssert.Contains(sent[1], "grep First");
            StringAssert.Contains(stdout.Result, "stepup: would send api.graph", "graph() prints what it would send");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "story.txt")), "Nothing runs without a director");
        }
        finally
        {
            Files.TryDeleteDirectory(dir);
        }
    }
}
