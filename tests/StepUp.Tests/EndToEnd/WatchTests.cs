namespace StepUp.Tests.EndToEnd;

/// <summary>
/// `dotnet build -t:StepUpWatch`: builds, stays in the foreground, builds again when a file the
/// graph knows changes (and says which), and ends on Ctrl-C, leaving the director running.
/// </summary>
[TestClass]
public sealed class WatchTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [TestMethod]
    public void AnEdit_BuildsAgain_ADeletedStaticFileIsReported_AndCtrlCEndsTheWatch()
    {
        using var p = new TestProject();
        p.WriteFile("in.txt", "one\n");
        p.WriteFile("other.txt", "keep\n");
        p.WriteSteps(
            """<Static Include="in.txt;other.txt" />""",
            """<Step Include="copy" Command="cat ${inp} &gt; ${out}" Inp="in.txt" Out="out.txt" />""",
            """<Step Include="keep" Command="cat ${inp} &gt; ${out}" Inp="other.txt" Out="kept.txt" />""");
        using var watch = p.StartBuild("-t:StepUpWatch");
        Assert.IsTrue(TestProject.WaitFor(() => Watching(watch, 1), Patience), "The first build ends in the watch:\n" + watch.OutputSoFar);
        Assert.AreEqual("one\n", p.ReadFile("out.txt"));
        Assert.IsFalse(watch.HasExited, "The watch stays in the foreground:\n" + watch.OutputSoFar);

        p.WriteFile("in.txt", "two\n");
        Assert.IsTrue(TestProject.WaitFor(() => p.ReadFile("out.txt") == "two\n" && Watching(watch, 2), Patience),
            "The edit builds again:\n" + watch.OutputSoFar);
        StringAssert.Contains(watch.OutputSoFar, "UPDATED \u2502 in.txt", "The watch says what changed");
        Assert.AreEqual(1, Count(watch.OutputSoFar, "START \u2502 keep"), "Only what the edit touches runs again:\n" + watch.OutputSoFar);

        p.DeleteFile("other.txt");
        Assert.IsTrue(TestProject.WaitFor(() => watch.OutputSoFar.Contains("STEPUP0005") && Watching(watch, 3), Patience),
            "The deleted static file is reported:\n" + watch.OutputSoFar);
        StringAssert.Contains(watch.OutputSoFar, "DELETED \u2502 other.txt");

        var directors = p.DirectorPids();
        var (code, output) = Runner.RunTool("kill", ["-INT", watch.Pid.ToString()], TimeSpan.FromSeconds(10));
        Assert.AreEqual(0, code, output);
        var result = watch.Wait(TimeSpan.FromSeconds(60));
        Assert.AreEqual(1, result.ExitCode, "Ctrl-C ends the watch; the build reports the last build's error:\n" + result.Output);
        result.Check(!result.HasError("STEPUP0302"), "The director was not lost");
        CollectionAssert.AreEquivalent(directors.ToList(), p.DirectorPids().ToList(), "The director outlives the watch");

        p.WriteFile("other.txt", "back\n");
        p.Build().AssertSuccess();
        Assert.AreEqual("back\n", p.ReadFile("kept.txt"));
        CollectionAssert.AreEquivalent(directors.ToList(), p.DirectorPids().ToList(), "The next build uses the same director");
    }

    /// <summary>The watch has reached its n-th wait for changes.</summary>
    static bool Watching(RunningBuild watch, int n) => Count(watch.OutputSoFar, "PHASE \u2502 watch") >= n;

    static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
