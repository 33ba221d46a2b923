namespace StepUp.Tests.EndToEnd;

/// <summary>Orphans, Clean and Rebuild: StepUp removes its own outputs, never the user's files.</summary>
[TestClass]
public sealed class CleanupTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Other = """<Step Include="other" Command="echo other &gt; ${out}" Out="other.txt" />""";

    [TestMethod]
    public void OrphanedOutputThatTheUserEdited_IsKept_WithWarning()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""", Other);
        p.Build().AssertSuccess();
        File.AppendAllText(p.PathOf("story.txt"), "my own edit\n");

        p.WriteSteps(Other);
        var r = p.Build().AssertSuccess("An edited orphan is kept; the build still succeeds");
        r.Check(r.HasWarning("STEPUP0201"), "Keeping an edited output should be reported as warning STEPUP0201");
        r.Check(r.WarningLines("STEPUP0201").Any(l => l.Contains("story.txt", StringComparison.Ordinal)), "The warning should name story.txt");
        r.Check(!r.Removed("story.txt"), "The edited file should not be reported as removed");
        Assert.AreEqual("story\nmy own edit\n", p.ReadFile("story.txt"), "The user's edit is kept");
    }

    [TestMethod]
    public void StaticFileOfARemovedStep_IsNeverDeleted()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "precious\n");
        p.WriteSteps(
            """<Static Include="data.txt" />""",
            """<Step Include="copy" Command="cat ${inp} &gt; ${out}" Inp="data.txt" Out="copy.txt" />""",
            Other);
        p.Build().AssertSuccess();
        Assert.AreEqual("precious\n", p.ReadFile("copy.txt"));

        // Both the step and the <Static> item leave the project.
        p.WriteSteps(Other);
        var r = p.Build().AssertSuccess();
        r.Check(r.Removed("copy.txt"), "The orphaned output copy.txt should be removed");
        Assert.IsFalse(p.FileExists("copy.txt"));
        r.Check(!r.Removed("data.txt"), "A static file is never removed");
        Assert.AreEqual("precious\n", p.ReadFile("data.txt"), "A static file is never deleted");
    }

    [TestMethod]
    public void FoldersLeftEmptyByARemoval_AreRemoved_OthersStay()
    {
        using var p = new TestProject(_home);
        p.WriteFile("keep/user.txt", "mine\n");
        p.WriteSteps(
            """<Step Include="deep" Command="echo deep &gt; ${out}" Out="gen/sub/deep.txt" />""",
            """<Step Include="beside" Command="echo beside &gt; ${out}" Out="keep/gen.txt" />""",
            Other);
        p.Build().AssertSuccess();
        Assert.IsTrue(p.FileExists("gen/sub/deep.txt") && p.FileExists("keep/gen.txt"));

        p.WriteSteps(Other);
        var r = p.Build().AssertSuccess();
        r.Check(r.Removed("gen/sub/deep.txt") && r.Removed("keep/gen.txt"), "Both orphaned outputs should be removed");
        Assert.IsFalse(p.DirExists("gen"), "gen/sub and gen were left empty and should be removed");
        Assert.IsFalse(p.FileExists("keep/gen.txt"));
        Assert.AreEqual("mine\n", p.ReadFile("keep/user.txt"), "A folder that still holds a user's file stays");
    }

    [TestMethod]
    public void DotnetClean_RemovesOutputs_KeepsStaticAndEditedFiles()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "precious\n");
        p.WriteSteps(
            """<Static Include="data.txt" />""",
            """<Step Include="copy" Command="cat ${inp} &gt; ${out}; echo log &gt; ${vol}" Inp="data.txt" Out="out/copy.txt" Vol="out/copy.log" />""",
            """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""",
            """<Step Include="edited" Command="echo generated &gt; ${out}" Out="edited.txt" />""");
        p.Build().AssertSuccess();
        Assert.IsTrue(p.FileExists("out/copy.txt") && p.FileExists("out/copy.log") && p.FileExists("story.txt"));
        File.AppendAllText(p.PathOf("edited.txt"), "edited by the user\n");

        var r = p.Dotnet("clean", p.ProjectPath, "-tl:off", "-v:n", "-nr:false").AssertSuccess();
        r.Check(!p.FileExists("out/copy.txt") && !p.FileExists("story.txt"), "Clean removes the recorded outputs");
        r.Check(!p.FileExists("out/copy.log"), "Clean removes volatile outputs");
        Assert.AreEqual("precious\n", p.ReadFile("data.txt"), "Clean never removes a static file");
        Assert.AreEqual("generated\nedited by the user\n", p.ReadFile("edited.txt"), "Clean never removes an edited output");
        r.Check(!r.AnyStepStarted, "Clean runs no step");
    }

    [TestMethod]
    public void Rebuild_RunsEveryStepAgain()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""",
            """<Step Include="copy" Command="cat ${inp} &gt; ${out}" Inp="story.txt" Out="copy.txt" />""");
        p.Build().AssertSuccess();

        var rebuild = p.Build("-t:Rebuild").AssertSuccess();
        rebuild.Check(rebuild.Ran("story") && rebuild.Ran("copy"), "-t:Rebuild runs every step again");
        Assert.AreEqual("story\n", p.ReadFile("copy.txt"));

        var noIncremental = p.Build("--no-incremental").AssertSuccess();
        noIncremental.Check(noIncremental.Ran("story") && noIncremental.Ran("copy"), "--no-incremental runs every step again");
        Assert.AreEqual("story\n", p.ReadFile("copy.txt"));
    }
}
