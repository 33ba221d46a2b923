using Microsoft.Data.Sqlite;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Engine.Storage;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>
/// Nothing outside the project root, and no static file, is ever deleted or written: symbolic links
/// are followed to the real places they lead to, files that were there before a step made them stay
/// the user's, and only folders StepUp created are removed once empty.
/// </summary>
[TestClass]
public sealed class RootSafetyTests
{
    static void Link(EngineProject p, string link, string target) => File.CreateSymbolicLink(p.FullPath(link), target);

    static string Transcript(EngineBuild r) => r.ToString();

    [TestMethod]
    public async Task OrphanBehindAFolderLinkedOutsideTheRoot_IsNotDeleted()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        var keep = Item.Step("keep", "echo keep > ${out}", line: 4, @out: "keep.txt");
        (await p.BuildAsync(Item.Step("gen", "echo x > ${out}", line: 3, @out: "gen/x.txt"), keep)).AssertSuccess();
        // The user swaps gen/ for a link to a folder of their own, holding a file of the same content.
        Directory.Delete(p.FullPath("gen"), recursive: true);
        File.WriteAllText(Path.Combine(outside.Path, "x.txt"), "x\n");
        Link(p, "gen", outside.Path);

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.IsTrue(File.Exists(Path.Combine(outside.Path, "x.txt")), "The file outside the root must not be deleted.\n" + r);
        Assert.IsFalse(r.Events.RemovedFile("gen/x.txt"), r.ToString());
        StringAssert.Contains(r.Single(Codes.KeptBehindLink).Message, "gen/x.txt");
    }

    [TestMethod]
    public async Task VolatileOrphanBehindAFolderLinkedOutsideTheRoot_IsNotDeleted()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        var keep = Item.Step("keep", "echo keep > ${out}", line: 4, @out: "keep.txt");
        (await p.BuildAsync(Item.Step("gen", "echo log > ${vol}", line: 3, vol: "gen/x.log"), keep)).AssertSuccess();
        Directory.Delete(p.FullPath("gen"), recursive: true);
        File.WriteAllText(Path.Combine(outside.Path, "x.log"), "someone else's log\n");
        Link(p, "gen", outside.Path);

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.AreEqual("someone else's log\n", File.ReadAllText(Path.Combine(outside.Path, "x.log")), r.ToString());
        Assert.AreEqual(1, r.Events.WithCode(Codes.KeptBehindLink).Count, r.ToString());
    }

    [TestMethod]
    public async Task Clean_DoesNotDeleteThroughAFolderLink()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        (await p.BuildAsync(Item.Step("gen", "echo x > ${out}", @out: "gen/x.txt"), Item.Step("b", "echo b > ${out}", line: 4, @out: "b.txt"))).AssertSuccess();
        Directory.Delete(p.FullPath("gen"), recursive: true);
        File.WriteAllText(Path.Combine(outside.Path, "x.txt"), "x\n");
        Link(p, "gen", outside.Path);

        var events = await p.CleanAsync();
        Assert.IsTrue(File.Exists(Path.Combine(outside.Path, "x.txt")), events.ToString());
        Assert.IsTrue(events.RemovedFile("b.txt"), "Outputs in real folders are still cleaned.\n" + events);
        Assert.AreEqual(1, events.WithCode(Codes.KeptBehindLink).Count, events.ToString());
    }

    [TestMethod]
    public async Task OutputThroughALinkOutsideTheRoot_IsRefusedAtItsLine()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        Link(p, "gen", outside.Path);
        var r = (await p.BuildAsync(Item.Step("gen", "echo x > ${out}", line: 7, @out: "gen/x.txt"))).AssertFailure();
        var error = r.Single(Codes.OutsideRoot);
        Assert.AreEqual(Item.At(7), error.Location, Transcript(r));
        StringAssert.Contains(error.Message, "gen/x.txt");
        r.AssertNotStarted("gen");
        Assert.IsFalse(File.Exists(Path.Combine(outside.Path, "x.txt")), Transcript(r));
    }

    [TestMethod]
    public async Task StaticFileReachedThroughALink_IsRefusedAsOutput()
    {
        using var p = new EngineProject();
        p.Write("data/s.txt", "precious\n");
        Link(p, "alias", "data");
        var r = (await p.BuildAsync(
            Item.Static("data/s.txt", line: 2),
            Item.Step("overwrite", "echo gone > ${out}", line: 3, @out: "alias/s.txt"))).AssertFailure();
        var error = r.Single(Codes.OutputIsStatic);
        Assert.AreEqual(Item.At(3), error.Location, Transcript(r));
        StringAssert.Contains(error.Message, "data/s.txt");
        Assert.AreEqual("precious\n", p.Read("data/s.txt"));
    }

    [TestMethod]
    public async Task StaticFileDeclaredThroughALink_IsRefusedAsOutputByItsRealPath()
    {
        using var p = new EngineProject();
        p.Write("data/s.txt", "precious\n");
        Link(p, "alias", "data");
        var r = (await p.BuildAsync(
            Item.Static("alias/s.txt", line: 2),
            Item.Step("overwrite", "echo gone > ${out}", line: 3, @out: "data/s.txt"))).AssertFailure();
        Assert.AreEqual(Item.At(3), r.Single(Codes.OutputIsStatic).Location, Transcript(r));
        Assert.AreEqual("precious\n", p.Read("data/s.txt"));
    }

    [TestMethod]
    public async Task OutputInAStaticFolder_IsRefusedAtPlanTime()
    {
        using var p = new EngineProject();
        p.Write("data/a.txt", "a\n");
        var r = (await p.BuildAsync(
            Item.Static("data/", line: 2),
            Item.Step("into", "echo new > ${out}", line: 3, @out: "data/new.txt"))).AssertFailure();
        var error = r.Single(Codes.OutputIsStatic);
        Assert.AreEqual(Item.At(3), error.Location, Transcript(r));
        StringAssert.Contains(error.Message, "data/");
        Assert.IsFalse(p.Exists("data/new.txt"), Transcript(r));
    }

    [TestMethod]
    public async Task OutputInAStaticFolderThroughALink_IsRefused()
    {
        using var p = new EngineProject();
        p.Write("data/a.txt", "a\n");
        Link(p, "alias", "data");
        var r = (await p.BuildAsync(
            Item.Static("data/", line: 2),
            Item.Step("into", "echo new > ${vol}", line: 3, vol: "alias/sub/new.log"))).AssertFailure();
        Assert.AreEqual(Item.At(3), r.Single(Codes.OutputIsStatic).Location, Transcript(r));
        Assert.IsFalse(p.FolderExists("data/sub"), Transcript(r));
    }

    [TestMethod]
    public async Task AFileThatWasThereBeforeAndThatTheStepNeverWrites_IsNotDeletedAsAnOrphan()
    {
        using var p = new EngineProject();
        p.Write("notes.txt", "mine\n");
        var keep = Item.Step("keep", "echo keep > ${out}", line: 4, @out: "keep.txt");
        (await p.BuildAsync(Item.Step("lazy", "true", line: 3, @out: "notes.txt"), keep)).AssertSuccess();

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.AreEqual("mine\n", p.Read("notes.txt"), r.ToString());
        Assert.IsFalse(r.Events.RemovedFile("notes.txt"), r.ToString());

        // Clean leaves it too.
        (await p.BuildAsync(Item.Step("lazy", "true", line: 3, @out: "notes.txt"), keep)).AssertSuccess();
        var clean = await p.CleanAsync();
        Assert.AreEqual("mine\n", p.Read("notes.txt"), clean.ToString());
        Assert.IsTrue(clean.RemovedFile("keep.txt"), clean.ToString());
    }

    [TestMethod]
    public async Task AFileThatWasThereBefore_IsStepUpsOnceTheStepWritesIt()
    {
        using var p = new EngineProject();
        p.Write("old.txt", "old\n");
        var keep = Item.Step("keep", "echo keep > ${out}", line: 4, @out: "keep.txt");
        (await p.BuildAsync(Item.Step("write", "echo new > ${out}", line: 3, @out: "old.txt"), keep)).AssertSuccess();
        p.Restart(); // the flag survives in graph.db

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.IsTrue(r.Events.RemovedFile("old.txt"), r.ToString());
        Assert.IsFalse(p.Exists("old.txt"), r.ToString());
    }

    [TestMethod]
    public async Task AFolderThatWasThereBefore_IsKeptWhenLeftEmpty_ButOneStepUpMadeGoes()
    {
        using var p = new EngineProject();
        Directory.CreateDirectory(p.FullPath("mine"));
        var keep = Item.Step("keep", "echo keep > ${out}", line: 5, @out: "keep.txt");
        (await p.BuildAsync(
            Item.Step("in-mine", "echo a > ${out}", line: 3, @out: "mine/a.txt"),
            Item.Step("in-new", "echo b > ${out}", line: 4, @out: "made/deep/b.txt"),
            keep)).AssertSuccess();
        p.Restart(); // the created folders survive in graph.db

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.IsTrue(r.Events.RemovedFile("mine/a.txt") && r.Events.RemovedFile("made/deep/b.txt"), r.ToString());
        Assert.IsTrue(p.FolderExists("mine"), "A folder that was there before StepUp stays.\n" + r);
        Assert.IsFalse(p.FolderExists("made"), "Folders StepUp made are removed once empty.\n" + r);
    }

    [TestMethod]
    public async Task StateFolder_IsPrivate_AndMadeSoWhenItIsNot()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("Unix file modes only.");
            return;
        }
        using var p = new EngineProject();
        var items = new[] { Item.Step("a", "echo a > ${out}", @out: "a.txt") };
        (await p.BuildAsync(items)).AssertSuccess();
        var folder = p.FullPath(".stepup");
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));

        p.Restart();
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        (await p.BuildAsync(items)).AssertSuccess();
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    [TestMethod]
    public async Task DamagedGraph_IsRebuiltWithAWarning()
    {
        using var p = new EngineProject();
        var items = new[] { Item.Step("a", "echo a > ${out}", @out: "a.txt") };
        (await p.BuildAsync(items)).AssertSuccess();
        p.Restart();
        SqliteConnection.ClearAllPools();
        File.WriteAllText(p.FullPath(".stepup/graph.db"), "this is no database, it is garbage of the right length... " + new string('x', 4096));
        foreach (var side in new[] { "-wal", "-shm" }) File.Delete(p.FullPath(".stepup/graph.db" + side));

        var r = (await p.BuildAsync(items)).AssertSuccess();
        var warning = r.Single(Codes.GraphRebuilt);
        Assert.AreEqual(Severity.Warning, warning.Severity);
        StringAssert.Contains(warning.Message, "graph.db");
        r.AssertStarted("a");

        var again = await p.BuildAsync(items);
        Assert.AreEqual(0, again.Events.WithCode(Codes.GraphRebuilt).Count, "Said once, not at every build.\n" + again);
    }

    [TestMethod]
    public async Task AnOutputThatIsItselfALinkOutsideTheRoot_IsNotWrittenThrough()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        var target = Path.Combine(outside.Path, "precious.txt");
        File.WriteAllText(target, "precious\n");
        Link(p, "out.txt", target);
        var r = (await p.BuildAsync(Item.Step("write", "echo gone > ${out}", line: 3, @out: "out.txt"))).AssertFailure();
        Assert.IsTrue(r.Events.Failed("write"), "Checked just before its command would run.\n" + r);
        Assert.AreEqual(Item.At(3), r.Single(Codes.StepError).Location, r.ToString());
        StringAssert.Contains(r.Single(Codes.StepError).Message, "outside the project root");
        Assert.AreEqual("precious\n", File.ReadAllText(target), r.ToString());
    }

    [TestMethod]
    public async Task AFolderLinkedOutsideAfterThePlanWasMade_StopsTheStepBeforeItWrites()
    {
        using var p = new EngineProject();
        using var outside = new TempFolder();
        var items = new[] { Item.Step("gen", "echo x > ${out}", line: 3, @out: "gen/x.txt") };
        (await p.BuildAsync(items)).AssertSuccess();
        Directory.Delete(p.FullPath("gen"), recursive: true);
        File.WriteAllText(Path.Combine(outside.Path, "x.txt"), "theirs\n");
        Link(p, "gen", outside.Path);

        // The same items: the plan is not made again, but the step is checked before it starts.
        var r = (await p.BuildAsync(items)).AssertFailure();
        StringAssert.Contains(r.Single(Codes.StepError).Message, "outside the project root");
        Assert.AreEqual("theirs\n", File.ReadAllText(Path.Combine(outside.Path, "x.txt")), r.ToString());
    }
}
