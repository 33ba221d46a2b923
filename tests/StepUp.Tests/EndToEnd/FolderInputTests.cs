namespace StepUp.Tests.EndToEnd;

/// <summary>
/// `Inp="raw/"` (every file under the folder) and `Inp="raw/*.csv"` (the files the wildcard
/// matches) are matched again at every build: a new, removed or edited file reruns the step.
/// </summary>
[TestClass]
public sealed class FolderInputTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    [TestMethod]
    public void FolderAndWildcardInputs_FollowTheFilesOnDisk()
    {
        using var p = new TestProject(_home);
        p.WriteFile("raw/a.csv", "a\n");
        p.WriteFile("raw/b.csv", "b\n");
        p.WriteFile("raw/notes.txt", "notes\n");
        p.WriteSteps(
            """<Step Include="all" Command="cat ${inp} &gt; ${out}" Inp="raw/" Out="all.txt" />""",
            """<Step Include="csv" Command="cat ${inp} &gt; ${out}" Inp="raw/*.csv" Out="csv.txt" />""");
        p.Build().AssertSuccess("A folder and a wildcard are valid inputs");
        Assert.AreEqual("a\nb\nnotes\n", p.ReadFile("all.txt"), "A folder input is every file under it, in order");
        Assert.AreEqual("a\nb\n", p.ReadFile("csv.txt"), "A wildcard input is its matches");

        var same = p.Build().AssertSuccess();
        same.Check(same.Skipped("all") && same.Skipped("csv"), "Nothing changed: both are skipped");

        p.WriteFile("raw/c.csv", "c\n");
        var added = p.Build().AssertSuccess();
        added.Check(added.Ran("all") && added.Ran("csv"), "A new matching file reruns both steps");
        Assert.AreEqual("a\nb\nc\n", p.ReadFile("csv.txt"));

        p.WriteFile("raw/more.txt", "more\n");
        var other = p.Build().AssertSuccess();
        other.Check(other.Ran("all") && other.Skipped("csv"), "A file the wildcard does not match reruns only the folder's step");

        p.DeleteFile("raw/a.csv");
        var removed = p.Build().AssertSuccess();
        removed.Check(removed.Ran("all") && removed.Ran("csv"), "A removed file reruns both");
        Assert.AreEqual("b\nc\n", p.ReadFile("csv.txt"));
        Assert.IsTrue(p.FileExists("raw/b.csv") && p.FileExists("raw/more.txt"), "The files of an input folder are static: never removed");
    }

    [TestMethod]
    public void AWildcardMatchesOutputsOfOtherSteps_AsDependencies()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="join" Command="cat ${inp} &gt; ${out}" Inp="parts/**/*.part" Out="joined.txt" />""",
            """<Step Include="one" Command="echo one &gt; ${out}" Out="parts/x/1.part" />""",
            """<Step Include="two" Command="echo two &gt; ${out}" Out="parts/2.part" />""");
        var r = p.Build().AssertSuccess("Outputs that do not exist yet are matched as dependencies");
        Assert.AreEqual("two\none\n", p.ReadFile("joined.txt"), "The join ran after both parts, with both (in path order)");
    }

    [TestMethod]
    public void AMissingInputFolder_IsAnErrorAtTheStep()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="all" Command="cat ${inp} &gt; ${out}" Inp="nothing/" Out="all.txt" />""");
        var r = p.Build().AssertFailure();
        p.AssertErrorAt(r, "STEPUP0005", p.LineOf("Include=\"all\""));
    }
}
