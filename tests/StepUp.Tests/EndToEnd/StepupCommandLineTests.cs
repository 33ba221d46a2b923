using System.Diagnostics;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUp's own command line from the package: `stepup install` puts `stepup` and `sb` on PATH,
/// `stepup boot` builds a folder with a plan.py and no .stepproj (seed 002 exactly as its text
/// says), StepUp's return-code bits, and `sb -w` driven by `stepup wait`, `graph`, `rebuild` and `join`.
/// </summary>
[TestClass]
public sealed class StepupCommandLineTests
{
    static DirectorHome _home = null!;
    static string _bin = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context)
    {
        _home = new DirectorHome();
        var package = RestoredPackage();
        _bin = Path.Combine(SdkFeed.RunDir, "bin-" + Names.Random(6));
        var installed = Runner.Run(SdkFeed.RunDir, ChildEnvironment.ForProject(_home.Dir), Path.Combine(_bin + ".log"),
            [Path.Combine(package, "tools", "cli", "stepup.dll"), "install", _bin], TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, installed.ExitCode, installed.Output);
        Assert.IsTrue(File.Exists(Path.Combine(_bin, "stepup")) && File.Exists(Path.Combine(_bin, "sb")), installed.Output);
    }

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>The SDK package as NuGet extracts it, after one restore of a .stepproj that uses it.</summary>
    static string RestoredPackage()
    {
        var dir = Path.Combine(SdkFeed.NuGetPackagesDir, "stepup.sdk", SdkFeed.Version.ToLowerInvariant());
        if (!File.Exists(Path.Combine(dir, "tools", "cli", "stepup.dll")))
        {
            using var p = new TestProject(_home);
            p.WriteSteps();
            p.Dotnet("restore", p.ProjectPath).AssertSuccess("restoring a .stepproj extracts the SDK package");
        }
        return dir;
    }

    const string Seed002Plan = """
        #!/usr/bin/env python3
        from stepup.core.api import graph, runsh

        runsh("echo First line. > ${out}; echo Second line. >> ${out}", out="story.txt")
        runsh("grep First ${inp}", inp="story.txt")
        graph("graph")

        """;

    const string Echo = "echo First line. > story.txt; echo Second line. >> story.txt";
    const string Grep = "grep First story.txt";

    /// <summary>A folder with a plan.py (executable) and no .stepproj.</summary>
    static string NewFolder(string plan)
    {
        var dir = Path.Combine(SdkFeed.RunDir, "plan-" + Names.Random(8));
        Directory.CreateDirectory(dir);
        WritePlan(dir, plan);
        return dir;
    }

    static void WritePlan(string dir, string plan)
    {
        var path = Path.Combine(dir, "plan.py");
        File.WriteAllText(path, plan.ReplaceLineEndings("\n"));
        MakeExecutable(path);
    }

    static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static Process Start(string dir, string line, string outFile)
    {
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = dir, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("{ " + line + "; } >\"$0\" 2>&1 </dev/null");
        psi.ArgumentList.Add(outFile);
        var env = ChildEnvironment.ForProject(_home.Dir);
        env["PATH"] = _bin + ":" + env["PATH"];
        Runner.ApplyEnvironment(psi, env);
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start " + line);
    }

    /// <summary>Runs a shell command line in <paramref name="dir"/> with the installed `stepup` first on PATH.</summary>
    static BuildResult Shell(string dir, string line)
    {
        var outFile = Path.Combine(dir, "..", Path.GetFileName(dir) + "-" + Names.Random(4) + ".out");
        using var process = Start(dir, line, outFile);
        return Runner.Finish(process, outFile, [line], TimeSpan.FromMinutes(3));
    }

    [TestMethod]
    public void Boot_Seed002_RunsTheTutorial_ThenSkipsEverything()
    {
        PythonSteps.Require();
        var dir = NewFolder(Seed002Plan);

        var cold = Shell(dir, "stepup boot -n 2");
        Assert.AreEqual(0, cold.ExitCode, cold.Output);
        cold.Check(cold.Succeeded("./plan.py") && cold.Succeeded(Echo) && cold.Succeeded(Grep), "all three steps succeed");
        var rule = Array.FindIndex(cold.Lines, l => l.StartsWith("─", StringComparison.Ordinal) && l.Contains(" Standard output ", StringComparison.Ordinal));
        cold.Check(rule >= 0 && cold.Lines[rule].Length == 80 && cold.Lines[rule + 1] == "First line.", "grep's output is shown on a page of 80 columns");
        Assert.AreEqual("First line.\nSecond line.\n", File.ReadAllText(Path.Combine(dir, "story.txt")));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "graph.txt")) && File.Exists(Path.Combine(dir, "graph_provenance.dot")), "plan.py writes the graph");

        var warm = Shell(dir, "stepup boot -n 2");
        Assert.AreEqual(0, warm.ExitCode, warm.Output);
        warm.Check(!warm.Ran(Echo) && !warm.Ran(Grep), "nothing changed: the steps do not run again");
    }

    [TestMethod]
    public void NoOp_PrintsOneSkipLinePerStep_AndSuccessLogHoldsWhatWasPrinted()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import runsh

            for i in range(6):
                runsh(f"echo {i} > out{i}.txt", out=f"out{i}.txt")

            """);
        var cold = Shell(dir, "stepup build -j 2");
        Assert.AreEqual(0, cold.ExitCode, cold.Output);

        var noop = Shell(dir, "stepup build -j 2");
        Assert.AreEqual(0, noop.ExitCode, noop.Output);
        var skipped = noop.Lines.Where(l => l.StartsWith("    SKIP │ ", StringComparison.Ordinal)).Select(l => l[11..]).Order(StringComparer.Ordinal).ToList();
        var steps = Enumerable.Range(0, 6).Select(i => $"echo {i} > out{i}.txt").Append("./plan.py").Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(steps, skipped, "one SKIP line for each step and the plan, nothing run\n" + noop.Output);
        noop.Check(!noop.AnyStepStarted, "nothing runs in a no-op");

        var log = Path.Combine(dir, ".stepup", "success.log");
        var bytes = File.ReadAllBytes(log);
        Assert.IsTrue(bytes.AsSpan().StartsWith(System.Text.Encoding.UTF8.Preamble), "success.log is UTF-8 with a byte order mark, as StepUp writes it");
        Assert.AreEqual(noop.Output, File.ReadAllText(log), "success.log has every line the build printed, in order");
        Assert.IsFalse(File.Exists(Path.Combine(dir, ".stepup", "fail.log")), "no FAIL or ERROR line: no fail.log");
    }

    [TestMethod]
    public void TwoProjectsBuiltAtOnce_EachRunsItsOwnJobs()
    {
        PythonSteps.Require();
        var meet = Path.Combine(SdkFeed.RunDir, "meet-" + Names.Random(6));
        Directory.CreateDirectory(meet);
        // Each project's one step marks itself started and waits for the other project's step: both
        // succeed only if they run at the same time, each in its own project's single job.
        string Plan(string me, string other) => $"""
            #!/usr/bin/env python3
            from stepup.core.api import runsh

            runsh("touch {meet}/{me}; i=0; while [ ! -e {meet}/{other} ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.05; done; echo met > met.txt", out="met.txt")

            """;
        var a = NewFolder(Plan("a", "b"));
        var b = NewFolder(Plan("b", "a"));
        var aOut = Path.Combine(meet, "a.out");
        var bOut = Path.Combine(meet, "b.out");
        using var first = Start(a, "stepup build -j 1", aOut);
        using var second = Start(b, "stepup build -j 1", bOut);
        var aBuild = Runner.Finish(first, aOut, ["stepup build -j 1"], TimeSpan.FromMinutes(3));
        var bBuild = Runner.Finish(second, bOut, ["stepup build -j 1"], TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, aBuild.ExitCode, "-j 1 is this project's own, whatever the director builds for another\n" + aBuild.Output);
        Assert.AreEqual(0, bBuild.ExitCode, bBuild.Output);
        Assert.AreEqual("met\n", File.ReadAllText(Path.Combine(a, "met.txt")));
        Assert.AreEqual("met\n", File.ReadAllText(Path.Combine(b, "met.txt")));
    }

    [TestMethod]
    public void ReturnCodes_AreStepUpsBits()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import runsh

            runsh("exit 3", out="broken.txt")
            runsh("cat broken.txt > copy.txt", inp="broken.txt", out="copy.txt")

            """);

        var failed = Shell(dir, "stepup build -j 1");
        Assert.AreEqual(4 | 32, failed.ExitCode, "a failed step (4) drains the build (32)\n" + failed.Output);
        failed.Check(failed.HasEvent("FAIL", "exit 3"), "the failing step is reported");

        var kept = Shell(dir, "sb -j 1 -k");
        Assert.AreEqual(4 | 16, kept.ExitCode, "with -k: failed (4), and the step that needs its output stays pending (16)\n" + kept.Output);

        WritePlan(dir, """
            #!/usr/bin/env python3
            from stepup.core.api import runsh

            runsh("echo ok > fine.txt", out="fine.txt")

            """);
        var fixedBuild = Shell(dir, "sb");
        Assert.AreEqual(0, fixedBuild.ExitCode, fixedBuild.Output);

        var empty = Path.Combine(SdkFeed.RunDir, "noplan-" + Names.Random(6));
        Directory.CreateDirectory(empty);
        var noPlan = Shell(empty, "sb");
        Assert.AreEqual(1, noPlan.ExitCode, "no plan.py: an internal error (1)\n" + noPlan.Output);
        StringAssert.Contains(noPlan.Output, "ERROR: there is no plan.py in ");
    }

    [TestMethod]
    public void Call_FromPlanPy_RunsTheFunction()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import call, static

            static("work.py", "data.txt")
            call("./work.py", "run", inp=["data.txt"], out=["result.txt"], prefix=">> ")

            """);
        File.WriteAllText(Path.Combine(dir, "data.txt"), "hello\n");
        var work = Path.Combine(dir, "work.py");
        File.WriteAllText(work, "#!/usr/bin/env python3\nfrom stepup.core.call import driver\n\n\ndef run(inp, out, prefix):\n" +
            "    with open(inp[0]) as src, open(out[0], \"w\") as dst:\n        dst.write(prefix + src.read())\n\n\nif __name__ == \"__main__\":\n    driver()\n");
        MakeExecutable(work);

        var build = Shell(dir, "stepup boot");
        Assert.AreEqual(0, build.ExitCode, build.Output);
        build.Check(build.Succeeded("""./work.py run '{"prefix": ">> ", "inp": ["data.txt"], "out": ["result.txt"]}'"""), "call() plans the call step");
        Assert.AreEqual(">> hello\n", File.ReadAllText(Path.Combine(dir, "result.txt")));
    }

    [TestMethod]
    public void ConfigFiles_InvalidTargets_AndTheGraphPrefix_AreStepUp4s()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import run, static

            static("input.txt")
            run("cp input.txt sub/out.txt", inp="input.txt", out="sub/out.txt")

            """);
        File.WriteAllText(Path.Combine(dir, "input.txt"), "one\n");
        File.WriteAllText(Path.Combine(dir, "stepup.toml"), "[build]\njobs = 1\n\n[clean]\nall = true  # outputs of planned steps too\n");
        var build = Shell(dir, "sb");
        Assert.AreEqual(0, build.ExitCode, build.Output);
        StringAssert.Contains(build.Output, "DIRECTOR │ Ran 2 job(s).");

        var invalid = Shell(dir, "sb -w input.txt");
        Assert.AreEqual(4, invalid.ExitCode, "a static target fails the build (4), and -w does not watch\n" + invalid.Output);
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, ".stepup", "fail.log")), "A build target cannot be a static file: input.txt");

        var cleaned = Shell(dir, "STEPUP_CLEAN_COMMIT=1 stepup clean sub/");
        Assert.AreEqual(0, cleaned.ExitCode, cleaned.Output);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "sub", "out.txt")), "`all` from [clean], `commit` from the environment\n" + cleaned.Output);

        Directory.CreateDirectory(Path.Combine(dir, "elsewhere"));
        var graph = Shell(dir, $"cd elsewhere && STEPUP_ROOT='{dir}' stepup graph rooted");
        Assert.AreEqual(0, graph.ExitCode, graph.Output);
        Assert.IsTrue(File.Exists(Path.Combine(dir, "rooted.txt")), "the prefix is relative to the project root\n" + graph.Output);

        File.WriteAllText(Path.Combine(dir, "stepup.toml"), "[build]\nspeed = 4\n");
        var typo = Shell(dir, "sb");
        Assert.AreEqual(1, typo.ExitCode, typo.Output);
        StringAssert.Contains(typo.Output, "./stepup.toml:2: unsupported key 'speed' in section [build]");
    }

    [TestMethod]
    public void PlanPy_RunsThroughThePythonLauncher_AsStepUp4RunsIt()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import copy, static
            from helper import NAME

            static("a.txt", "helper.py")
            copy("a.txt", NAME)

            """);
        File.WriteAllText(Path.Combine(dir, "helper.py"), "NAME = 'b.txt'\n");
        File.WriteAllText(Path.Combine(dir, "a.txt"), "a\n");
        var cold = Shell(dir, "sb -j 1");
        Assert.AreEqual(0, cold.ExitCode, cold.Output);
        Assert.IsTrue(File.Exists(Path.Combine(dir, "b.txt")), cold.Output);

        // StepUp 4 amends the local modules plan.py imports: editing one plans again.
        File.WriteAllText(Path.Combine(dir, "helper.py"), "NAME = 'c.txt'\n");
        var edited = Shell(dir, "sb -j 1");
        Assert.AreEqual(0, edited.ExitCode, edited.Output);
        edited.Check(edited.Ran("./plan.py"), "helper.py is an input of ./plan.py");
        Assert.IsTrue(File.Exists(Path.Combine(dir, "c.txt")), edited.Output);

        // With STEPUP_DEBUG=1 nothing is left out of a traceback, the launcher's frames included.
        WritePlan(dir, """
            #!/usr/bin/env python3
            from stepup.core.api import copy

            copy("x.txt", "y.txt")
            copy("y.txt", "x.txt")

            """);
        var cyclic = Shell(dir, "STEPUP_DEBUG=1 sb -j 1");
        Assert.AreNotEqual(0, cyclic.ExitCode, cyclic.Output);
        var failLog = File.ReadAllText(Path.Combine(dir, ".stepup", "fail.log"));
        StringAssert.Contains(failLog, "stepup.core.exceptions.CyclicError", failLog);
        Assert.IsTrue(failLog.Contains("<frozen runpy>", StringComparison.Ordinal) || failLog.Contains("/runpy.py\"", StringComparison.Ordinal), "runpy's frames:\n" + failLog);
        StringAssert.Contains(failLog, "stepup/core/rpc.py", failLog);
    }

    [TestMethod]
    public void Watch_WaitGraphRebuildJoin_DriveTheBuild()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import runsh, static

            static("input.txt")
            runsh("cp input.txt output.txt", inp="input.txt", out="output.txt")

            """);
        File.WriteAllText(Path.Combine(dir, "input.txt"), "one\n");
        var outFile = Path.Combine(dir, "..", Path.GetFileName(dir) + "-watch.out");
        using var watching = Start(dir, "sb -j 1 -w", outFile);
        try
        {
            Assert.AreEqual(0, Shell(dir, "stepup wait").ExitCode);
            var graph = Shell(dir, "stepup graph current_graph1");
            Assert.AreEqual(0, graph.ExitCode, graph.Output);
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "current_graph1.txt")), "step:cp input.txt output.txt");
            Assert.AreEqual("one\n", File.ReadAllText(Path.Combine(dir, "output.txt")));

            File.WriteAllText(Path.Combine(dir, "input.txt"), "two\n");
            Assert.AreEqual(0, Shell(dir, "stepup wait -u input.txt && stepup rebuild && stepup wait").ExitCode);
            Assert.AreEqual("two\n", File.ReadAllText(Path.Combine(dir, "output.txt")), "the rebuild copied the new input");
            Assert.AreEqual(0, Shell(dir, "stepup join").ExitCode);
            Assert.IsTrue(watching.WaitForExit(TimeSpan.FromMinutes(1)), "sb -w ends after `stepup join`");
            var output = Runner.ReadOutput(outFile);
            Assert.AreEqual(0, watching.ExitCode, output);
            var lines = output.Split('\n');
            Assert.AreEqual(2, lines.Count(l => l == "   PHASE │ watch"), output);
            Assert.AreEqual(2, lines.Count(l => l == "   START │ cp input.txt output.txt"), output);
            Assert.AreEqual("DIRECTOR │ See you!", lines.Last(l => l.Length > 0), output);
        }
        finally
        {
            if (!watching.HasExited) watching.Kill(entireProcessTree: true);
        }
    }

    [TestMethod]
    public void WatchFirst_TheFirstChangeOfAnInputStartsTheNextBuild()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import copy, static

            static("inp.txt")
            copy("inp.txt", "out.txt")

            """);
        File.WriteAllText(Path.Combine(dir, "inp.txt"), "hello\n");
        var outFile = Path.Combine(dir, "..", Path.GetFileName(dir) + "-watch-first.out");
        using var watching = Start(dir, "sb -j 1 -W", outFile);
        try
        {
            Assert.AreEqual(0, Shell(dir, "stepup wait && stepup graph current_graph1").ExitCode);
            Assert.AreEqual("hello\n", File.ReadAllText(Path.Combine(dir, "out.txt")));

            // No `stepup rebuild`: the change itself starts the build (the sleep only lets it be seen).
            File.WriteAllText(Path.Combine(dir, "inp.txt"), "bye\n");
            Assert.AreEqual(0, Shell(dir, "sleep 1 && stepup wait").ExitCode);
            Assert.AreEqual("bye\n", File.ReadAllText(Path.Combine(dir, "out.txt")), "the change of inp.txt rebuilt out.txt");
            Assert.AreEqual(0, Shell(dir, "stepup join").ExitCode);
            Assert.IsTrue(watching.WaitForExit(TimeSpan.FromMinutes(1)), "sb -W ends after `stepup join`");
            var output = Runner.ReadOutput(outFile);
            Assert.AreEqual(0, watching.ExitCode, output);
            var lines = output.Split('\n');
            Assert.AreEqual(2, lines.Count(l => l == "   PHASE │ build"), "one build for the change, none for the graph files:\n" + output);
            CollectionAssert.Contains(lines, " UPDATED │ inp.txt", output);
        }
        finally
        {
            if (!watching.HasExited) watching.Kill(entireProcessTree: true);
        }
    }

    [TestMethod]
    public void AConsumerRedefinedBeforeItsSkippedSubplan_StillGetsTheSubplansOutput()
    {
        // The plan reruns and detaches the subplan with its producer; the subplan is skipped, so it
        // defines nothing again: the new consumer must still find the producer of its input.
        PythonSteps.Require();
        const string planTemplate = """
            #!/usr/bin/env python3
            from stepup.core.api import plan, run, static

            static("subplan.py")
            run("cat out.txt > USED", shell=True, inp=["out.txt"], out=["USED"])
            plan("./subplan.py", inp=["subplan.py"])

            """;
        var dir = NewFolder(planTemplate.Replace("USED", "used1.txt"));
        var subplan = Path.Combine(dir, "subplan.py");
        File.WriteAllText(subplan, "#!/usr/bin/env python3\nfrom stepup.core.api import run\n\nrun(\"echo hello > out.txt\", shell=True, out=[\"out.txt\"])\n");
        MakeExecutable(subplan);

        var first = Shell(dir, "sb -j 1");
        Assert.AreEqual(0, first.ExitCode, first.Output);

        WritePlan(dir, planTemplate.Replace("USED", "used2.txt"));
        var second = Shell(dir, "sb -j 1");
        Assert.AreEqual(0, second.ExitCode, second.Output);
        Assert.AreEqual("hello\n", File.ReadAllText(Path.Combine(dir, "used2.txt")), second.Output);
        Assert.IsFalse(File.Exists(Path.Combine(dir, "used1.txt")), "the old consumer's output is cleaned up\n" + second.Output);
    }

    [TestMethod]
    public void APendingStep_IsAWarningLine_AndAStaticFileTurnedFolder_DrainsTheBuild()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import copy, run, static

            static("data.txt")
            copy("data.txt", "copy.txt")
            run("echo token", resources="token")

            """);
        File.WriteAllText(Path.Combine(dir, "data.txt"), "hello\n");

        var pending = Shell(dir, "sb -j 1 -r token:0");
        Assert.AreEqual(16, pending.ExitCode, "a step that can never get its resource is pending (16), no failure, no warning bit\n" + pending.Output);
        pending.Check(pending.Lines.Any(l => l.StartsWith(" WARNING │ Step 'echo token' cannot run", StringComparison.Ordinal)), "the pending step is a warning, as StepUp reports it");
        Assert.IsFalse(File.Exists(Path.Combine(dir, ".stepup", "fail.log")), pending.Output);

        File.Delete(Path.Combine(dir, "data.txt"));
        Directory.CreateDirectory(Path.Combine(dir, "data.txt"));
        var drained = Shell(dir, "sb -j 1 -r token:1");
        Assert.AreEqual(32, drained.ExitCode, "a static file that is a folder now drains the build before anything runs (32)\n" + drained.Output);
        drained.Check(drained.Lines.Any(l => l.StartsWith("   ERROR │ Could not hash data.txt", StringComparison.Ordinal)), "the error names the path");
        drained.Check(!drained.Ran("echo token"), "nothing runs");
        Assert.AreEqual("hello\n", File.ReadAllText(Path.Combine(dir, "copy.txt")), "and nothing is removed");
    }

    [TestMethod]
    public void Shutdown_FirstLetsTheRunningStepFinishAndDrains_SecondStopsIt()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import run

            run("stepup shutdown; sleep 1; echo hello > msg.txt", shell=True, out="msg.txt")
            run("cat msg.txt", inp="msg.txt")

            """);
        var drained = Shell(dir, "sb -j 1");
        Assert.AreEqual(32, drained.ExitCode, "drained (32), as StepUp 4: the step left pending is neither reported nor counted (16)\n" + drained.Output);
        Assert.AreEqual("hello\n", File.ReadAllText(Path.Combine(dir, "msg.txt")), "the running step finished\n" + drained.Output);
        drained.Check(drained.Succeeded("stepup shutdown; sleep 1; echo hello > msg.txt") && !drained.Ran("cat msg.txt"), "no step starts after the shutdown");
        drained.Check(drained.Lines.Contains("DIRECTOR │ Waiting for steps to complete before shutdown.") && !drained.Lines.Any(l => l.StartsWith(" WARNING │ ", StringComparison.Ordinal)), "StepUp 4's line, no pending warning");

        var again = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import run

            run("stepup shutdown; stepup shutdown; sleep 60; echo late > late.txt", shell=True, out="late.txt")

            """);
        var stopped = Shell(again, "sb -j 1");
        Assert.AreEqual(32, stopped.ExitCode, stopped.Output);
        Assert.IsFalse(File.Exists(Path.Combine(again, "late.txt")), "the second shutdown stopped the running step\n" + stopped.Output);
    }

    [TestMethod]
    public void ATargetThatWasVolatile_IsBuilt_WhenTheChangedPlanMakesItARegularOutput()
    {
        PythonSteps.Require();
        var dir = NewFolder("""
            #!/usr/bin/env python3
            from stepup.core.api import run

            run("touch out.txt", vol=["out.txt"])

            """);
        File.WriteAllText(Path.Combine(dir, "input.txt"), "hello\n");
        Assert.AreEqual(0, Shell(dir, "sb -j 1").ExitCode);
        var refused = Shell(dir, "sb -j 1 out.txt");
        Assert.AreEqual(4, refused.ExitCode, "the unchanged plan still makes it volatile: refused\n" + refused.Output);

        WritePlan(dir, """
            #!/usr/bin/env python3
            from stepup.core.api import copy, static

            static("input.txt")
            copy("input.txt", "out.txt")

            """);
        var built = Shell(dir, "sb -j 1 out.txt");
        Assert.AreEqual(0, built.ExitCode, "plan.py runs again and declares out.txt anew: the graph's old word does not refuse it\n" + built.Output);
        Assert.AreEqual("hello\n", File.ReadAllText(Path.Combine(dir, "out.txt")), built.Output);
        Assert.IsFalse(File.Exists(Path.Combine(dir, ".stepup", "fail.log")), built.Output);
    }
}
