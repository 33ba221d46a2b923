namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUpExplainRerun=true names the cause of every run: the first run, the input that changed
/// (content or mode), the environment variable (old and new value), the command (old and new), the
/// missing or edited output, a failed previous run; a skip that would surprise says why at -v:d.
/// The same reasons are in the build report and in graph.txt.
/// </summary>
[TestClass]
public sealed class ExplainRerunTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Explain = "-p:StepUpExplainRerun=true";

    static string Copy(string command = "cat ${inp} &gt; ${out}; echo $GREETING &gt;&gt; ${out}") =>
        $"""<Static Include="data.txt" /><Step Include="copy" Inp="data.txt" Out="copy.txt" Env="GREETING" Command="{command}" />""";

    static void AssertExplains(BuildResult r, string reason) =>
        r.Check(r.HasEvent("EXPLAIN", "copy: runs because " + reason), "Expected `EXPLAIN │ copy: runs because " + reason + "`");

    [TestMethod]
    public void Explanations_NameInputEnvironmentCommandAndOutput()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "one\n");
        p.WriteSteps(Copy());

        AssertExplains(p.Build(Explain).AssertSuccess(), "first run: it has not run before");

        p.WriteFile("data.txt", "two\n");
        AssertExplains(p.Build(Explain).AssertSuccess(), "static input 'data.txt' changed content");

        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(p.PathOf("data.txt"), File.GetUnixFileMode(p.PathOf("data.txt")) | UnixFileMode.UserExecute);
        AssertExplains(p.Build(Explain).AssertSuccess(), "static input 'data.txt' changed mode (now executable)");

        p.Env["GREETING"] = "hi";
        AssertExplains(p.Build(Explain).AssertSuccess(), "environment variable GREETING was set to 'hi' (it was unset)");
        p.Env["GREETING"] = "ho";
        AssertExplains(p.Build(Explain).AssertSuccess(), "environment variable GREETING changed from 'hi' to 'ho'");
        p.Env["GREETING"] = null;
        AssertExplains(p.Build(Explain).AssertSuccess(), "environment variable GREETING was unset (it was 'ho')");

        p.WriteSteps(Copy("cp ${inp} ${out}"));
        var changed = p.Build(Explain).AssertSuccess();
        AssertExplains(changed, "its command changed from 'cat data.txt > copy.txt; echo $GREETING >> copy.txt' to 'cp data.txt copy.txt'");

        p.DeleteFile("copy.txt");
        AssertExplains(p.Build(Explain).AssertSuccess(), "output 'copy.txt' is missing");
        p.WriteFile("copy.txt", "edited by hand\n");
        var edited = p.Build(Explain).AssertSuccess();
        AssertExplains(edited, "output 'copy.txt' was edited");

        StringAssert.Contains(File.ReadAllText(p.PathOf(".stepup/report.html")), "<td class=\"reason\">output &#39;copy.txt&#39; was edited</td>",
            "The report gives the same reason");
        p.Build("-t:StepUpGraph").AssertSuccess();
        StringAssert.Contains(p.ReadFile("graph.txt"), "ran because = output 'copy.txt' was edited", "graph.txt's step entry gives the same reason");
    }

    [TestMethod]
    public void FailedPreviousRun_IsTheCause_AndAnEditWithTheSameContentExplainsItsSkipAtDetailedVerbosity()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "one\n");
        p.WriteFile("flag", "fail\n");
        p.WriteSteps("""<Static Include="data.txt;flag" /><Step Include="copy" Inp="data.txt" Out="copy.txt" Command="grep -q fail flag &amp;&amp; exit 4; cp data.txt copy.txt" />""");
        p.Build(Explain).AssertFailure();

        // The flag is not an input: only the failure says why the step runs again.
        p.WriteFile("flag", "pass\n");
        AssertExplains(p.Build(Explain).AssertSuccess(), "its previous run failed");

        File.SetLastWriteTimeUtc(p.PathOf("data.txt"), DateTime.UtcNow.AddMinutes(-5));
        var detailed = p.Build(Explain, "-v:d").AssertSuccess();
        detailed.Check(detailed.Skipped("copy"), "Same content: the step is skipped");
        detailed.Check(detailed.HasEvent("NOTE", "copy: skipped although 'data.txt' was edited, but its content is the same"),
            "At -v:d the skip says why");

        File.SetLastWriteTimeUtc(p.PathOf("data.txt"), DateTime.UtcNow.AddMinutes(-3));
        var normal = p.Build(Explain).AssertSuccess();
        normal.Check(normal.Skipped("copy") && !normal.Output.Contains("NOTE \u2502", StringComparison.Ordinal), "At -v:n the note is not shown");
    }
}
