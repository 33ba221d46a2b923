using StepUp.Tests.Unit;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The probes of issue 7 that StepUp's two promises must survive: nothing outside the project root,
/// and no static file, is ever deleted or written (symbolic links are followed to where they lead);
/// a project whose .stepup/ cannot be written gets an error at once, never a wait.
/// </summary>
[TestClass]
public sealed class SafetyTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Keep = """<Step Include="keep" Command="echo keep &gt; ${out}" Out="keep.txt" />""";

    static string[] Clean(TestProject p) => ["clean", p.ProjectPath, "-tl:off", "-v:n", "-nr:false"];

    /// <summary>A folder beside the project's, outside its root, holding one file.</summary>
    static string OutsideFolderWith(TestProject p, string name, string text)
    {
        var outside = Path.Combine(p.Base, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, name), text);
        return outside;
    }

    /// <summary>Replaces the output folder gen/ with a link to a folder outside the root.</summary>
    static void LinkGenOutside(TestProject p, string outside)
    {
        Directory.Delete(p.PathOf("gen"), recursive: true);
        File.CreateSymbolicLink(p.PathOf("gen"), outside);
    }

    [TestMethod]
    public void OutputFolderLinkedOutsideTheRoot_ThenTheStepRemoved_TheOutsideFileStays()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="gen" Command="echo x &gt; ${out}" Out="gen/x.txt" />""", Keep);
        p.Build().AssertSuccess();
        var outside = OutsideFolderWith(p, "x.txt", "x\n");
        LinkGenOutside(p, outside);

        p.WriteSteps(Keep);
        var r = p.Build().AssertSuccess("Keeping a file is no failure");
        Assert.AreEqual("x\n", File.ReadAllText(Path.Combine(outside, "x.txt")), "The file outside the root must not be deleted");
        r.Check(!r.Removed("gen/x.txt"), "Nothing is removed through the link");
        r.Check(r.WarningLines("STEPUP0204").Any(l => l.Contains("gen/x.txt", StringComparison.Ordinal)), "Warning STEPUP0204 names the file kept behind the link");
    }

    [TestMethod]
    public void VolatileOutputFolderLinkedOutsideTheRoot_ThenTheStepRemoved_TheOutsideFileStays()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="gen" Command="echo log &gt; ${vol}" Vol="gen/x.log" />""", Keep);
        p.Build().AssertSuccess();
        // Another content than StepUp's: a volatile output is deleted without a content check.
        var outside = OutsideFolderWith(p, "x.log", "someone else's log\n");
        LinkGenOutside(p, outside);

        p.WriteSteps(Keep);
        var r = p.Build().AssertSuccess();
        Assert.AreEqual("someone else's log\n", File.ReadAllText(Path.Combine(outside, "x.log")), "The file outside the root must not be deleted");
        r.Check(r.HasWarning("STEPUP0204"), "Warning STEPUP0204 for the volatile output kept behind the link");
    }

    [TestMethod]
    public void DotnetClean_WithAnOutputFolderLinkedOutsideTheRoot_KeepsTheOutsideFile()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="gen" Command="echo x &gt; ${out}" Out="gen/x.txt" />""", Keep);
        p.Build().AssertSuccess();
        var outside = OutsideFolderWith(p, "x.txt", "x\n");
        LinkGenOutside(p, outside);

        var r = p.Dotnet(Clean(p)).AssertSuccess();
        Assert.AreEqual("x\n", File.ReadAllText(Path.Combine(outside, "x.txt")), "Clean must not delete outside the root");
        r.Check(!p.FileExists("keep.txt"), "Clean still removes the outputs in real folders");
        r.Check(r.HasWarning("STEPUP0204"), "Warning STEPUP0204 for the output kept behind the link");
    }

    [TestMethod]
    public void OutputThroughAFolderLinkedOutsideTheRoot_IsRefusedAtTheStepsLine()
    {
        using var p = new TestProject(_home);
        var outside = OutsideFolderWith(p, "other.txt", "other\n");
        File.CreateSymbolicLink(p.PathOf("gen"), outside);
        p.WriteSteps(Keep, """<Step Include="gen" Command="echo x &gt; ${out}" Out="gen/x.txt" />""");
        var r = p.Build().AssertFailure();
        p.AssertErrorAt(r, "STEPUP0006", p.LineOf("Include=\"gen\""));
        r.Check(!r.AnyStepStarted, "An invalid plan runs no step");
        Assert.IsFalse(File.Exists(Path.Combine(outside, "x.txt")), "Nothing is written outside the root");
    }

    [TestMethod]
    public void StaticFileReachedThroughAnAlias_IsRefusedAsOutput_AndNeverTouched()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data/s.txt", "precious\n");
        File.CreateSymbolicLink(p.PathOf("alias"), "data");
        p.WriteSteps(
            """<Static Include="data/s.txt" />""",
            """<Step Include="overwrite" Command="echo gone &gt; ${out}" Out="alias/s.txt" />""",
            Keep);
        var r = p.Build().AssertFailure("An output that is a static file through a link is refused");
        p.AssertErrorAt(r, "STEPUP0003", p.LineOf("Include=\"overwrite\""));
        r.Check(r.ErrorLines("STEPUP0003").Any(l => l.Contains("data/s.txt", StringComparison.Ordinal)), "The error names the static file");
        Assert.AreEqual("precious\n", p.ReadFile("data/s.txt"));

        // Without the step, cleanup has nothing of the static file's to delete.
        p.WriteSteps("""<Static Include="data/s.txt" />""", Keep);
        p.Build().AssertSuccess();
        Assert.AreEqual("precious\n", p.ReadFile("data/s.txt"));
    }

    [TestMethod]
    public void StepDefinedThroughTheApi_WithAnOutputThroughALink_IsRefused()
    {
        using var p = new TestProject(_home);
        var outside = OutsideFolderWith(p, "other.txt", "other\n");
        File.CreateSymbolicLink(p.PathOf("gen"), outside);
        p.WriteFile("data/s.txt", "precious\n");
        File.CreateSymbolicLink(p.PathOf("alias"), "data");
        p.WriteSteps(
            """<Static Include="data/s.txt" />""",
            """<Step Include="amender" Command="stepup amend --out gen/x.txt 2&gt; amend.err || exit 3; echo x &gt; gen/x.txt" Out="amender.txt" />""",
            """<Step Include="plan" Command="stepup step --name alias --out alias/s.txt -- 'echo gone &gt; alias/s.txt' 2&gt; step.err || exit 4" Planning="true" />""");
        var r = p.Build().AssertFailure();
        r.Check(r.Failed("amender") && r.Failed("plan"), "Both API calls are refused, so both steps fail");
        StringAssert.Contains(p.ReadFile("amend.err"), "outside the project root");
        StringAssert.Contains(p.ReadFile("step.err"), "data/s.txt");
        Assert.IsFalse(File.Exists(Path.Combine(outside, "x.txt")), "Nothing is written outside the root");
        Assert.AreEqual("precious\n", p.ReadFile("data/s.txt"));
    }

    [TestMethod]
    public void OutputIntoAStaticFolder_IsRefusedAtPlanTime()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data/a.txt", "a\n");
        p.WriteSteps(
            """<Static Include="data/" />""",
            """<Step Include="into" Command="echo new &gt; ${out}" Out="data/new.txt" />""");
        var r = p.Build().AssertFailure("Already the first build refuses a step that writes into a static folder");
        p.AssertErrorAt(r, "STEPUP0003", p.LineOf("Include=\"into\""));
        r.Check(!r.AnyStepStarted, "An invalid plan runs no step");
        Assert.IsFalse(p.FileExists("data/new.txt"));
    }

    [TestMethod]
    public void AFileThatWasThereBefore_DeclaredByAStepThatNeverWritesIt_IsNotDeletedAsAnOrphan()
    {
        using var p = new TestProject(_home);
        p.WriteFile("notes.txt", "my notes\n");
        p.WriteSteps("""<Step Include="lazy" Command="echo did nothing" Out="notes.txt" />""", Keep);
        p.Build().AssertSuccess();

        p.WriteSteps(Keep);
        var r = p.Build().AssertSuccess();
        r.Check(!r.Removed("notes.txt"), "The user's file is not StepUp's to remove");
        Assert.AreEqual("my notes\n", p.ReadFile("notes.txt"));
    }

    [TestMethod]
    public void AFolderThatWasThereBefore_IsNotRemovedWhenLeftEmpty()
    {
        using var p = new TestProject(_home);
        Directory.CreateDirectory(p.PathOf("reports"));
        p.WriteSteps(
            """<Step Include="report" Command="echo r &gt; ${out}" Out="reports/r.txt" />""",
            """<Step Include="made" Command="echo m &gt; ${out}" Out="made/m.txt" />""",
            Keep);
        p.Build().AssertSuccess();

        p.WriteSteps(Keep);
        var r = p.Build().AssertSuccess();
        r.Check(r.Removed("reports/r.txt") && r.Removed("made/m.txt"), "Both orphaned outputs are removed");
        r.Check(p.DirExists("reports"), "reports/ was there before StepUp: it stays, empty");
        r.Check(!p.DirExists("made"), "made/ was created by StepUp: it goes once empty");
    }

    [TestMethod]
    public void StateFolder_IsPrivateToItsUser()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("Unix file modes only.");
            return;
        }
        using var p = new TestProject(_home);
        p.WriteSteps(Keep);
        p.Build().AssertSuccess();
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(p.PathOf(".stepup")),
            ".stepup/ holds every command: mode 0700");

        File.SetUnixFileMode(p.PathOf(".stepup"), (UnixFileMode)0b111_101_101);
        p.Build().AssertSuccess();
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(p.PathOf(".stepup")),
            "A .stepup/ with wider modes is made private again");
    }

    [TestMethod]
    public void DamagedGraph_IsRebuilt_WithAWarning()
    {
        using var p = new TestProject();
        p.WriteSteps(Keep);
        p.Build().AssertSuccess();
        p.Home.Stop();
        foreach (var side in new[] { "-wal", "-shm" }) File.Delete(p.PathOf(".stepup/graph.db" + side));
        File.WriteAllText(p.PathOf(".stepup/graph.db"), "not a database " + new string('x', 4096));

        var r = p.Build().AssertSuccess("A damaged graph is rebuilt; the build goes on");
        r.Check(r.WarningLines("STEPUP0205").Any(l => l.Contains("graph.db", StringComparison.Ordinal)), "Warning STEPUP0205 says the graph was rebuilt");
        r.Check(r.Ran("keep"), "Every step runs again");
        var again = p.Build().AssertSuccess();
        again.Check(!again.HasWarning("STEPUP0205"), "The warning is given once");
    }

    // Read-only and full file systems: a real tmpfs, since the tests run as root, which modes do not stop.

    /// <summary>The error of a build that cannot write .stepup/: STEPUP0306 naming the cause, no wait, no lost director.</summary>
    static void AssertStateFolderError(BuildResult r, string cause)
    {
        r.AssertFailure();
        r.Check(r.ErrorLines("STEPUP0306").Any(l => l.Contains(".stepup", StringComparison.Ordinal) && l.Contains(cause, StringComparison.Ordinal)),
            $"Error STEPUP0306 names .stepup and the cause ({cause})");
        r.Check(!r.HasError("STEPUP0302"), "Not 'the connection to the director was lost'");
        r.Check(!r.Output.Contains("WAIT \u2502", StringComparison.Ordinal), "Nothing to wait for: no other director holds the project");
        r.Check(!r.AnyStepStarted, "No step runs");
    }

    [TestMethod]
    public void ReadOnlyStateFolder_GivesAnError_AndTheBuildEnds()
    {
        using var p = new TestProject();
        p.WriteSteps(Keep);
        using var mount = new ScratchMount(p.PathOf(".stepup"), "size=1m,mode=0700");
        mount.MakeReadOnly();
        AssertStateFolderError(p.Build(), "Read-only file system");
    }

    [TestMethod]
    public void ProjectOnAReadOnlyFileSystem_GivesAnErrorNamingStepup()
    {
        using var p = new TestProject();
        using var mount = new ScratchMount(p.Root, "size=16m");
        p.WriteSteps(Keep);
        p.Dotnet("restore", p.ProjectPath, "-nr:false").AssertSuccess();
        mount.MakeReadOnly();
        AssertStateFolderError(p.Build("--no-restore"), "Read-only file system");
    }

    [TestMethod]
    public void ReadOnlyFileSystem_AfterABuild_GivesAnError_AndTheBuildEnds()
    {
        using var p = new TestProject();
        using var mount = new ScratchMount(p.Root, "size=16m");
        p.WriteSteps(Keep);
        p.Build().AssertSuccess();
        p.Home.Stop(); // the director holds graph.db open for writing, which a remount would refuse
        mount.MakeReadOnly();
        AssertStateFolderError(p.Build("--no-restore"), "Read-only file system");
    }

    [TestMethod]
    public void NoFreeInodes_GivesAnError_AndTheBuildEnds()
    {
        using var p = new TestProject();
        using var mount = new ScratchMount(p.Root, "size=16m,nr_inodes=400");
        p.WriteSteps(Keep);
        p.Dotnet("restore", p.ProjectPath, "-nr:false").AssertSuccess();
        mount.UseUpInodes();
        AssertStateFolderError(p.Build("--no-restore"), "No space left on device");
    }
}
