using System.Diagnostics;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The persistent director as a user meets it: reused, stopped when idle, transient on CI, stopped on
/// request, survivable when killed, private to its user. Each test has its own director folder.
/// </summary>
[TestClass]
public sealed class DirectorTests
{
    const string Story = """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""";

    static TestProject NewProject()
    {
        var p = new TestProject();
        p.WriteSteps(Story);
        return p;
    }

    static string Pids(IEnumerable<int> pids) => "[" + string.Join(", ", pids.Order()) + "]";

    [TestMethod]
    public void SecondBuild_AndAnotherProject_ReuseTheSameDirector()
    {
        using var p = NewProject();
        var first = p.Build().AssertSuccess();
        var before = p.DirectorPids();
        first.Check(before.Count > 0, "After a build, a director (command line with StepUp.Director and --dir " + p.Home.Dir + ") should still run");

        var second = p.Build().AssertSuccess();
        var after = p.DirectorPids();
        second.Check(before.Order().SequenceEqual(after.Order()), $"The second build should reuse the director: {Pids(before)} then {Pids(after)}");

        using var q = new TestProject(p.Home);
        q.WriteSteps(Story);
        var other = q.Build().AssertSuccess();
        var third = q.DirectorPids();
        other.Check(before.Order().SequenceEqual(third.Order()), $"Another project of the same user should use the same director: {Pids(before)} then {Pids(third)}");
    }

    [TestMethod]
    public void IdleDirector_ExitsAfterItsIdleTimeout()
    {
        using var p = NewProject();
        var r = p.Build("-p:StepUpDirectorIdleTimeout=0.02").AssertSuccess();
        r.Check(p.Home.WaitUntilGone(TimeSpan.FromSeconds(30)),
            "With StepUpDirectorIdleTimeout=0.02 (1.2 s) the director should exit once idle; still running: " + Pids(p.DirectorPids()));
    }

    [TestMethod]
    public void IdleTimeoutZero_DirectorExitsAfterTheBuild()
    {
        using var p = NewProject();
        var r = p.Build("-p:StepUpDirectorIdleTimeout=0").AssertSuccess();
        r.Check(p.Home.WaitUntilGone(TimeSpan.FromSeconds(15)),
            "With StepUpDirectorIdleTimeout=0 the director should exit after the build; still running: " + Pids(p.DirectorPids()));
    }

    [TestMethod]
    public void OnCI_TheDirectorIsTransient()
    {
        using var p = NewProject();
        p.Env["CI"] = "true";
        var r = p.Build().AssertSuccess();
        r.Check(p.FileExists("story.txt"), "The build itself works as usual");
        r.Check(p.Home.WaitUntilGone(TimeSpan.FromSeconds(15)),
            "With CI=true the director should not outlive the build; still running: " + Pids(p.DirectorPids()));
    }

    [TestMethod]
    public void ShutdownTarget_StopsTheDirector()
    {
        using var p = NewProject();
        var build = p.Build().AssertSuccess();
        build.Check(p.DirectorPids().Count > 0, "A director should run after the build");

        var stop = p.Build("-t:StepUpShutdown").AssertSuccess();
        stop.Check(p.Home.WaitUntilGone(TimeSpan.FromSeconds(15)),
            "-t:StepUpShutdown should stop the director; still running: " + Pids(p.DirectorPids()));

        var again = p.Build("-t:StepUpShutdown").AssertSuccess("Stopping when no director runs is not an error");
        again.Check(p.DirectorPids().Count == 0, "Stopping must not start a director");
        again.Check(!again.AnyStepStarted, "StepUpShutdown runs no step");
    }

    /// <summary>`sh hold.sh OUT`: tells the test its pid, waits for the file `release`, then writes OUT.</summary>
    const string HoldScript = """
        #!/bin/sh
        echo $$ > started.tmp && mv started.tmp started.pid
        i=0
        while [ ! -e release ]; do
          i=$((i + 1))
          if [ "$i" -gt 1200 ]; then echo "never released"; exit 1; fi
          sleep 0.05
        done
        echo first > "$1"

        """;

    [TestMethod]
    public void KilledDirector_FailsTheBuildWithAnError_ThenTheNextBuildRecovers()
    {
        using var p = new TestProject();
        p.WriteFile("hold.sh", HoldScript);
        p.WriteSteps(
            """<Step Include="first" Command="sh hold.sh ${out}" Out="first.txt" />""",
            """<Step Include="second" Command="cat ${inp} &gt; ${out}" Inp="first.txt" Out="second.txt" />""");

        using (var running = p.StartBuild())
        {
            var started = TestProject.WaitFor(() => p.FileExists("started.pid") || running.HasExited, TimeSpan.FromSeconds(90));
            if (!started || running.HasExited)
                Assert.Fail("The first step should be running and holding. Output so far:\n" + running.OutputSoFar);

            var directors = p.DirectorPids();
            if (directors.Count == 0)
                Assert.Fail("No director process found for " + p.Home.Dir + ". Output so far:\n" + running.OutputSoFar);
            foreach (var pid in directors) Proc.Signal(pid, "KILL");

            var broken = running.Wait(TimeSpan.FromSeconds(120));
            broken.AssertFailure("A build whose director was killed must fail, not succeed");
            broken.Check(broken.HasAnyStepUpError, "A build whose director was killed should fail with a STEPUP error");
            Console.WriteLine("Errors after the kill:\n" + string.Join("\n", broken.Lines.Where(l => l.Contains("error STEPUP", StringComparison.Ordinal)).Distinct()));
        }

        p.DeleteFile("started.pid");
        p.WriteFile("release", "");
        var recovered = p.Build().AssertSuccess("The next build starts a new director and succeeds");
        recovered.Check(recovered.Ran("first") && recovered.Ran("second"), "The interrupted step and its dependent run");
        Assert.AreEqual("first\n", p.ReadFile("first.txt"));
        Assert.AreEqual("first\n", p.ReadFile("second.txt"));

        var third = p.Build().AssertSuccess();
        third.Check(!third.AnyStepStarted, "Everything is up to date: no step runs");
        third.Check(third.Skipped("first") && third.Skipped("second"), "Both steps are reported as SKIP");
    }

    [TestMethod]
    public void BuildOutput_IsClosedWhenDotnetBuildExits_EvenThoughTheDirectorStaysAlive()
    {
        // `dotnet build | tee log` must end when the build ends: the director must not hold the build's stdout/stderr.
        using var p = NewProject();
        var psi = new ProcessStartInfo(Runner.DotnetExe)
        {
            WorkingDirectory = p.Root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "build", p.ProjectPath, "-tl:off", "-v:n", "-nr:false" }) psi.ArgumentList.Add(arg);
        Runner.ApplyEnvironment(psi, p.ChildEnv());
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet build did not finish within 120 s");
        }
        var closed = Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(30));
        Assert.IsTrue(closed, "dotnet build exited but its stdout/stderr stayed open: a child process (the director?) inherited them");
        Assert.AreEqual(0, process.ExitCode, stdout.Result + stderr.Result);
        Assert.IsTrue(p.DirectorPids().Count > 0, "The director should still run after the build");
    }

    [TestMethod]
    public void AnotherOsUser_CannotConnectToTheDirector()
    {
        var runuser = OtherUser.Require();
        const string python = OtherUser.Python;

        using var p = NewProject();
        p.Build().AssertSuccess();
        var find = Runner.RunTool("find", [p.Home.Dir, "-maxdepth", "2", "-type", "s"], TimeSpan.FromSeconds(10));
        var socket = find.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        Assert.IsNotNull(socket, "The director's socket should be in STEPUP_DIRECTOR_DIR " + p.Home.Dir + ": " + find.Output);

        var mode = OperatingSystem.IsWindows() ? (UnixFileMode)0 : File.GetUnixFileMode(p.Home.Dir);
        Assert.AreEqual((UnixFileMode)0, mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute),
            $"The director's folder should be private to its user, mode is {mode}");

        const string connect = "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.close()\n";
        var mine = Runner.RunTool(python, ["-c", connect, socket], TimeSpan.FromSeconds(30));
        Assert.AreEqual(0, mine.ExitCode, "Control: the director's own user can connect: " + mine.Output);

        var theirs = Runner.RunTool(runuser, ["-u", OtherUser.Name, "--", python, "-c", connect, socket], TimeSpan.FromSeconds(30));
        Assert.AreNotEqual(0, theirs.ExitCode, "Another user should not be able to connect to the director's socket");
        StringAssert.Contains(theirs.Output, "Permission denied", "Another user should be refused by the private folder");
    }
}
