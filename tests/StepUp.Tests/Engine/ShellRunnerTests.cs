using System.Diagnostics;
using StepUp.Engine.Building;
using StepUp.Engine.Planning;
using StepUp.Engine.Running;

namespace StepUp.Tests.Engine;

/// <summary>
/// Steps on real shells (<see cref="ShellRunner"/>): quoting, the environment, scripts, and
/// process groups: a cancelled step takes everything it started with it, and a step an earlier
/// director left running is stopped before the next build runs anything.
/// </summary>
[TestClass]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShellRunnerTests
{
    [TestMethod]
    public async Task StepsSeeTheRequestEnvironmentAndStepUpRoot()
    {
        using var p = new EngineProject(shell: true);
        p.Env["STEPUP_TEST_VALUE"] = "from the build";
        var r = (await p.BuildAsync(
            Item.Step("env", "echo \"${STEPUP_TEST_VALUE}\" > ${out}; echo \"$STEPUP_ROOT\" >> ${out}; echo \"$STEPUP_STEP_KEY\" >> ${out}", @out: "env.txt"))).AssertSuccess();
        Assert.AreEqual("from the build\n" + p.Root + "\nenv\n", p.Read("env.txt"), r.ToString());
    }

    [TestMethod]
    public async Task PathsWithASpace_AreQuotedForTheShell()
    {
        using var p = new EngineProject(shell: true);
        p.Write("sub/my input.txt", "spaced\n");
        var r = (await p.BuildAsync(
            Item.Static("sub/my input.txt"),
            Item.Step("copy", "cat ${inp} > ${out}", workdir: "sub", inp: "my input.txt", @out: "out dir/my output.txt"))).AssertSuccess();
        Assert.AreEqual("spaced\n", p.Read("sub/out dir/my output.txt"), r.ToString());
    }

    [TestMethod]
    public async Task TheShell_NamesTheStepAndTheCommandsOwnLine_WhateverTheStepsVariablesAndWorkdir()
    {
        // The workdir and the step's variables run before the command, on its first line: the
        // shell counts the command's lines from 1 and says the step's name, not a file of StepUp's.
        using var p = new EngineProject(shell: true);
        Directory.CreateDirectory(p.FullPath("it's here"));
        var r = (await p.BuildAsync(
            Item.Step("named step", "exec 2> ${out}\necho \"$STEPUP_STEP_KEY\" > /dev/null\nno-such-command-xyz; exit 0",
                workdir: "it's here", @out: "err.txt"))).AssertSuccess();
        Assert.AreEqual("named step: 3: no-such-command-xyz: not found\n", p.Read("it's here/err.txt"), r.ToString());
    }

    [TestMethod]
    public async Task AScriptsExecutable_IsStaticWithoutAStaticItem()
    {
        // stepproj.md §2: "The executable of a <Script> ... [is] static without a <Static> item".
        using var p = new EngineProject(shell: true);
        p.Write("sub/gen.py", "#!/bin/sh\necho \"$@\" > planned.txt\n");
        File.SetUnixFileMode(p.FullPath("sub/gen.py"), (UnixFileMode)0b111_101_101);
        var r = (await p.BuildAsync(Item.Script("gen.py", workdir: "sub"))).AssertSuccess();
        r.AssertStarted("./gen.py plan  # wd=sub");
        Assert.AreEqual("plan\n", p.Read("sub/planned.txt"));
    }

    [TestMethod]
    public async Task CancellingTheBuild_StopsWhatTheStepStarted_EvenWhenItLeftTheStepsProcessTree()
    {
        using var p = new EngineProject(shell: true);
        // The inner shell's parent exits at once: the sleeper is no longer the step's descendant.
        var step = Item.Step("spawner", "( sh -c 'echo $$ > orphan.tmp && mv orphan.tmp orphan.pid; exec sleep 60' & ); sleep 60", @out: "never.txt");
        using var cts = new CancellationTokenSource();
        var build = p.BuildAsync([step], ct: cts.Token);
        var started = await WaitForAsync(() => p.Exists("orphan.pid") || build.IsCompleted);
        Assert.IsTrue(started && !build.IsCompleted, "The step should have started its sleeper.");
        var orphan = int.Parse(p.Read("orphan.pid").Trim());
        var identity = ProcessGroup.StartTimeOf(orphan);
        Assert.IsNotNull(identity, "The sleeper should run.");

        cts.Cancel();
        (await build).AssertFailure();
        Assert.IsTrue(await WaitForAsync(() => ProcessGroup.StartTimeOf(orphan) != identity || IsZombie(orphan)),
            $"The sleeper (pid {orphan}) should be stopped with the step.");
    }

    [TestMethod]
    public async Task AStepAnEarlierDirectorLeftRunning_IsStoppedBeforeTheBuildRunsAnyStep()
    {
        using var p = new EngineProject(shell: true);
        // What a director killed together with its watchdog leaves: a worker's group, recorded in the ledger.
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = p.Root };
        foreach (var arg in new[] { "sh", "-c", "echo $$ > left.tmp && mv left.tmp left.pid; exec sleep 60" }) psi.ArgumentList.Add(arg);
        using var leftover = Process.Start(psi)!;
        Assert.IsTrue(await WaitForAsync(() => p.Exists("left.pid")), "The leftover should start.");
        var group = ProcessGroup.LedBy(int.Parse(p.Read("left.pid").Trim()));
        Assert.IsNotNull(group);
        Directory.CreateDirectory(p.FullPath(".stepup"));
        new GroupLedger(p.FullPath(".stepup")).Add(group.Value);

        var r = (await p.BuildAsync(Item.Step("a", "echo a > ${out}", @out: "a.txt"))).AssertSuccess();
        Assert.IsTrue(leftover.WaitForExit(10_000), "The leftover should be stopped.\n" + r);
        var lines = r.Events.Lines.ToList();
        var stopped = lines.FindIndex(l => l.Tag == "DIRECTOR" && l.Text.Contains("process group " + group.Value.Id, StringComparison.Ordinal));
        Assert.IsTrue(stopped >= 0, "The build should say it stopped the leftover.\n" + r);
        Assert.IsTrue(stopped < lines.IndexOf(("START", "a")), "The leftover is stopped before any step starts.\n" + r);
        Assert.IsFalse(p.Exists(".stepup/" + GroupLedger.FileName), "After the build, no group is recorded as running.");
    }

    static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    /// <summary>Polls every 20 ms; only a safety bound, no test asserts on time.</summary>
    static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (condition()) return true;
            await Task.Delay(20);
        }
        return condition();
    }
}
