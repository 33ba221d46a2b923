namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUp's "Dependencies" tutorial (seeds 001 and 002) as a .stepproj, with its "Try the following"
/// bullets: a second build skips, a changed grep re-runs only grep, swapping the items runs nothing,
/// renaming the output removes the old file.
/// </summary>
[TestClass]
public sealed class DependenciesTutorialTests
{
    static DirectorHome _home = null!;

    const string Story = """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="story.txt" />""";
    const string Grep = """<Step Include="grep" Command="grep First ${inp}" Inp="story.txt" />""";
    const string GrepSecond = """<Step Include="grep" Command="grep Second ${inp}" Inp="story.txt" />""";
    const string StoryLines = """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="lines.txt" />""";
    const string GrepLines = """<Step Include="grep" Command="grep First ${inp}" Inp="lines.txt" />""";

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    static TestProject NewProject()
    {
        var p = new TestProject(_home);
        p.WriteSteps(Story, Grep);
        return p;
    }

    /// <summary>A line of the output that is exactly <paramref name="text"/> (MSBuild may indent it).</summary>
    static bool HasOutputLine(BuildResult r, string text) => r.Lines.Any(l => l.Trim() == text);

    /// <summary>The step's stdout follows a `Standard output` rule.</summary>
    static bool StdoutShown(BuildResult r, string text)
    {
        var rule = Array.FindIndex(r.Lines, l => l.Contains("Standard output", StringComparison.Ordinal));
        return rule >= 0 && r.Lines.Skip(rule + 1).Any(l => l.Trim() == text);
    }

    [TestMethod]
    public void FirstBuildRunsBothSteps_SecondBuildSkipsBoth()
    {
        using var p = NewProject();

        var first = p.Build().AssertSuccess();
        first.Check(first.Ran("story") && first.Ran("grep"), "The first build should start both steps");
        first.Check(first.Succeeded("story") && first.Succeeded("grep"), "Both steps should succeed");
        Assert.AreEqual("First line.\nSecond line.\n", p.ReadFile("story.txt"));
        first.Check(StdoutShown(first, "First line."), "grep's stdout `First line.` should follow a `Standard output` rule");
        first.Check(!HasOutputLine(first, "Second line."), "grep First should not print the second line");
        first.Check(first.Summary == "StepUp: 2 ran, 0 skipped, 0 failed, 0 removed",
            "Expected the summary `StepUp: 2 ran, 0 skipped, 0 failed, 0 removed`, got `" + first.Summary + "`");
        Assert.IsTrue(p.FileExists(".stepup/graph.db"), "The project's state should be in .stepup/graph.db");

        var second = p.Build().AssertSuccess();
        second.Check(!second.AnyStepStarted, "Nothing changed: no step should start");
        second.Check(second.Skipped("story") && second.Skipped("grep"), "Both steps should be reported as SKIP");
        second.Check(second.Summary == "StepUp: 0 ran, 2 skipped, 0 failed, 0 removed",
            "Expected the summary `StepUp: 0 ran, 2 skipped, 0 failed, 0 removed`, got `" + second.Summary + "`");
        Assert.AreEqual("First line.\nSecond line.\n", p.ReadFile("story.txt"));
    }

    [TestMethod]
    public void ChangedGrepCommand_RunsOnlyGrep()
    {
        using var p = NewProject();
        p.Build().AssertSuccess();

        p.WriteSteps(Story, GrepSecond);
        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("grep"), "The changed grep step should run");
        r.Check(!r.Ran("story"), "The unchanged story step should not run");
        r.Check(r.Skipped("story"), "story should be reported as SKIP");
        r.Check(StdoutShown(r, "Second line."), "grep Second should print `Second line.` under `Standard output`");
    }

    [TestMethod]
    public void SwappedItemOrder_RunsNothing()
    {
        using var p = NewProject();
        p.Build().AssertSuccess();

        p.WriteSteps(Grep, Story);
        var r = p.Build().AssertSuccess();
        r.Check(!r.AnyStepStarted, "The project is only a plan: swapping two items should run no step");
        r.Check(r.Skipped("story") && r.Skipped("grep"), "Both steps should be reported as SKIP");
    }

    [TestMethod]
    public void RenamedOutput_RemovesOldFileFromDisk()
    {
        using var p = NewProject();
        p.Build().AssertSuccess();
        Assert.IsTrue(p.FileExists("story.txt"));

        p.WriteSteps(StoryLines, GrepLines);
        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("story") && r.Ran("grep"), "Both steps changed and should run");
        r.Check(r.Removed("story.txt"), "The orphaned output should be reported as `REMOVE │ story.txt`");
        Assert.IsFalse(p.FileExists("story.txt"), "The orphaned story.txt should be removed from disk");
        Assert.AreEqual("First line.\nSecond line.\n", p.ReadFile("lines.txt"));
        r.Check(r.Summary != null && r.Summary.EndsWith(", 1 removed", StringComparison.Ordinal),
            "The summary should count one removal, got `" + r.Summary + "`");
    }

    /// <summary>Seed 001: the same bullets, with two jobs (`stepup -n -w2`).</summary>
    [TestMethod]
    public void Seed001_WithTwoJobs_SkipsThenRerunsOnlyWhatChanged()
    {
        using var p = NewProject();
        const string jobs = "-p:StepUpJobs=2";

        var first = p.Build(jobs).AssertSuccess();
        first.Check(first.Ran("story") && first.Ran("grep"), "The first build should start both steps");
        // grep needs story.txt: even with two jobs it starts after story succeeded.
        var lines = first.Lines;
        var storyDone = Array.FindIndex(lines, l => BuildResult.EventRegex("SUCCESS", "story").IsMatch(l));
        var grepStart = Array.FindIndex(lines, l => BuildResult.EventRegex("START", "grep").IsMatch(l));
        first.Check(storyDone >= 0 && grepStart > storyDone, "grep should start only after story succeeded");

        var again = p.Build(jobs).AssertSuccess();
        again.Check(!again.AnyStepStarted, "Run again: the steps should be skipped");

        p.WriteSteps(Story, GrepSecond);
        var changed = p.Build(jobs).AssertSuccess();
        changed.Check(changed.Ran("grep") && !changed.Ran("story"), "Only the modified grep should run");

        p.WriteSteps(GrepSecond, Story);
        var swapped = p.Build(jobs).AssertSuccess();
        swapped.Check(!swapped.AnyStepStarted, "Changing the order of the two steps should run nothing");
    }
}
