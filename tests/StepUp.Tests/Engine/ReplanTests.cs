using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>Editing the project: steps defined the same way keep their state; others become orphans and are cleaned.</summary>
[TestClass]
public sealed class ReplanTests
{
    [TestMethod]
    public async Task ReorderingItems_RunsNothing()
    {
        using var p = new EngineProject();
        p.Write("s.txt", "s");
        var a = Item.Step("a", "echo a > ${out}", line: 3, @out: "a.txt");
        var b = Item.Step("b", "cat ${inp} > ${out}", line: 4, inp: "a.txt", @out: "b.txt");
        var s = Item.Static("s.txt", line: 5);
        (await p.BuildAsync(a, b, s)).AssertSuccess();

        var moved = new[]
        {
            s with { Location = Item.At(10) },
            b with { Location = Item.At(11) },
            a with { Location = Item.At(12) },
        };
        var r = await p.BuildAsync(moved);
        r.AssertNothingRan(2);
        Assert.AreEqual(0, r.Summary.Removed);
        Assert.IsTrue(p.Exists("a.txt") && p.Exists("b.txt") && p.Exists("s.txt"));
    }

    [TestMethod]
    public async Task ANewLocation_IsUsedInLaterDiagnostics()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("a", "echo a > ${out}", line: 3, @out: "a.txt"))).AssertSuccess();
        File.Delete(p.FullPath("a.txt"));
        // Same definition, new line, and this time it fails: the error points at the new line.
        var r = await p.BuildAsync(Item.Step("a", "echo a > ${out}", line: 30, @out: "a.txt"), Item.Step("f", "exit 2", line: 31));
        r.AssertFailure();
        Assert.AreEqual(Item.At(31), r.Single(Codes.StepFailed).Location);
    }

    [TestMethod]
    public async Task ChangingACommand_RerunsOnlyThatStep()
    {
        using var p = new EngineProject();
        var other = Item.Step("other", "echo other > ${out}", line: 4, @out: "other.txt");
        var user = Item.Step("user", "cat ${inp} > ${out}", line: 5, inp: "a.txt", @out: "user.txt");
        (await p.BuildAsync(Item.Step("a", "echo a > ${out}", line: 3, @out: "a.txt"), other, user)).AssertSuccess();

        // New command, same output content: its consumer stays up to date.
        var r = (await p.BuildAsync(Item.Step("a", "echo a >${out}", line: 3, @out: "a.txt"), other, user)).AssertSuccess();
        r.AssertStarted("a");
        r.AssertSkipped("other", "user");
        Assert.AreEqual(1, r.Summary.Ran);
        Assert.AreEqual(2, r.Summary.Skipped);
    }

    [TestMethod]
    public async Task ChangingAWorkdir_RerunsTheStep()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("a", "pwd > ${out}", @out: "a.txt"))).AssertSuccess();
        var r = (await p.BuildAsync(Item.Step("a", "pwd > ${out}", workdir: "sub", @out: "../a.txt"))).AssertSuccess();
        r.AssertStarted("a");
        StringAssert.EndsWith(p.Read("a.txt").Trim(), "/sub");
    }

    [TestMethod]
    public async Task ARemovedStep_HasItsOutputRemoved()
    {
        using var p = new EngineProject();
        var keep = Item.Step("keep", "echo keep > ${out}", @out: "keep.txt");
        (await p.BuildAsync(keep, Item.Step("gone", "echo gone > ${out}; echo v > ${vol}", @out: "gone.txt", vol: "gone.log"))).AssertSuccess();
        Assert.IsTrue(p.Exists("gone.txt") && p.Exists("gone.log"));

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.IsTrue(r.Events.RemovedFile("gone.txt"), r.ToString());
        Assert.IsTrue(r.Events.RemovedFile("gone.log"), r.ToString());
        Assert.IsFalse(p.Exists("gone.txt"));
        Assert.IsFalse(p.Exists("gone.log"));
        Assert.IsTrue(p.Exists("keep.txt"));
        Assert.AreEqual(2, r.Summary.Removed);
        r.AssertNotStarted("gone");

        // The orphan is gone from the graph: the next build neither removes nor mentions it.
        var again = await p.BuildAsync(keep);
        again.AssertNothingRan(1);
        Assert.AreEqual(0, again.Events.Tagged("REMOVE").Count, again.ToString());
    }

    [TestMethod]
    public async Task RenamingAnOutputInBothSteps_RemovesTheOldFile()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(
            Item.Step("story", "echo First > ${out}", @out: "story.txt"),
            Item.Step("grep", "grep First ${inp}", inp: "story.txt"))).AssertSuccess();
        var r = (await p.BuildAsync(
            Item.Step("story", "echo First > ${out}", @out: "lines.txt"),
            Item.Step("grep", "grep First ${inp}", inp: "lines.txt"))).AssertSuccess();
        r.AssertStarted("story", "grep");
        Assert.IsTrue(r.Events.RemovedFile("story.txt"), r.ToString());
        Assert.IsFalse(p.Exists("story.txt"));
        Assert.IsTrue(p.Exists("lines.txt"));
    }

    [TestMethod]
    public async Task AnEditedOrphanOutput_IsKeptWithAWarning()
    {
        using var p = new EngineProject();
        var keep = Item.Step("keep", "echo keep > ${out}", @out: "keep.txt");
        (await p.BuildAsync(keep, Item.Step("gone", "echo gone > ${out}", @out: "gone.txt"))).AssertSuccess();
        p.Write("gone.txt", "my precious edit\n");

        var r = await p.BuildAsync(keep);
        Assert.IsTrue(r.Summary.Success, "An edited output that is kept does not fail the build.\n" + r);
        Assert.AreEqual(0, r.Events.Errors.Count, r.ToString());
        var d = r.Single(Codes.EditedOutputKept);
        Assert.AreEqual(Severity.Warning, d.Severity);
        StringAssert.Contains(d.Message, "gone.txt");
        Assert.IsFalse(r.Events.RemovedFile("gone.txt"), r.ToString());
        Assert.AreEqual("my precious edit\n", p.Read("gone.txt"));
        Assert.AreEqual(0, r.Summary.Removed);
    }

    [TestMethod]
    public async Task AStaticFileIsNeverDeleted()
    {
        using var p = new EngineProject();
        p.Write("data/s.txt", "static\n");
        ItemSpec[] first =
        [
            Item.Static("data/s.txt"),
            Item.Step("use", "cat ${inp} > ${out}", inp: "data/s.txt", @out: "u.txt"),
            Item.Step("gen", "echo gen > ${out}", @out: "g.txt"),
        ];
        (await p.BuildAsync(first)).AssertSuccess();

        // The static file and its user are dropped; g.txt is taken over by the user as a static file.
        var r = (await p.BuildAsync(Item.Static("g.txt"), Item.Step("read", "cat ${inp} > ${out}", inp: "g.txt", @out: "r.txt"))).AssertSuccess();
        Assert.IsTrue(p.Exists("data/s.txt"), "A static file that is no longer declared is still the user's.\n" + r);
        Assert.AreEqual("static\n", p.Read("data/s.txt"));
        Assert.IsTrue(p.Exists("g.txt"), "An output that became static is not deleted.\n" + r);
        Assert.IsFalse(r.Events.RemovedFile("data/s.txt"), r.ToString());
        Assert.IsFalse(r.Events.RemovedFile("g.txt"), r.ToString());
        Assert.IsTrue(r.Events.RemovedFile("u.txt"), r.ToString());
        Assert.IsFalse(p.Exists("u.txt"));

        // Still the user's after another build, and after Clean.
        (await p.BuildAsync(Item.Static("g.txt"), Item.Step("read", "cat ${inp} > ${out}", inp: "g.txt", @out: "r.txt"))).AssertNothingRan(1);
        await p.CleanAsync();
        Assert.IsTrue(p.Exists("g.txt"));
        Assert.IsTrue(p.Exists("data/s.txt"));
        Assert.IsFalse(p.Exists("r.txt"));
    }

    [TestMethod]
    public async Task FoldersEmptiedByCleanup_AreRemoved()
    {
        using var p = new EngineProject();
        var keep = Item.Step("keep", "echo keep > ${out}", @out: "sub/keep.txt");
        (await p.BuildAsync(keep, Item.Step("deep", "echo deep > ${out}", @out: "sub/deep/er/x.txt"),
            Item.Step("other", "echo o > ${out}", @out: "lonely/o.txt"))).AssertSuccess();
        Assert.IsTrue(p.Exists("sub/deep/er/x.txt"));

        var r = (await p.BuildAsync(keep)).AssertSuccess();
        Assert.IsFalse(p.FolderExists("sub/deep/er"), r.ToString());
        Assert.IsFalse(p.FolderExists("sub/deep"), r.ToString());
        Assert.IsTrue(p.FolderExists("sub"), "A folder that still holds a file stays.");
        Assert.IsFalse(p.FolderExists("lonely"), r.ToString());
        Assert.IsTrue(Directory.Exists(p.Root), "The project root is never removed.");
    }

    [TestMethod]
    public async Task AFolderWithAUserFile_IsNotRemoved()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("gen", "echo x > ${out}", @out: "out/x.txt"))).AssertSuccess();
        p.Write("out/notes.md", "mine");
        var r = (await p.BuildAsync(Item.Step("other", "true"))).AssertSuccess();
        Assert.IsTrue(r.Events.RemovedFile("out/x.txt"), r.ToString());
        Assert.IsTrue(p.Exists("out/notes.md"));
    }

    [TestMethod]
    public async Task CleanupIsSkippedAfterAFailedBuild()
    {
        using var p = new EngineProject();
        var a = Item.Step("a", "echo a > ${out}", @out: "a.txt");
        (await p.BuildAsync(a, Item.Step("d", "echo d > ${out}", @out: "d.txt"))).AssertSuccess();

        var failed = (await p.BuildAsync(a, Item.Step("f", "exit 1"))).AssertFailure();
        Assert.IsTrue(p.Exists("d.txt"), "An incomplete build removes no orphan.\n" + failed);
        Assert.AreEqual(0, failed.Events.Tagged("REMOVE").Count, failed.ToString());
        Assert.IsTrue(failed.Events.Tagged("DIRECTOR").Any(t => t.Contains("incomplete")), failed.ToString());

        var fixedBuild = (await p.BuildAsync(a, Item.Step("f", "true"))).AssertSuccess();
        Assert.IsTrue(fixedBuild.Events.RemovedFile("d.txt"), fixedBuild.ToString());
        Assert.IsFalse(p.Exists("d.txt"));
    }

    [TestMethod]
    public async Task CleanFalse_KeepsOrphans()
    {
        using var p = new EngineProject();
        var a = Item.Step("a", "echo a > ${out}", @out: "a.txt");
        (await p.BuildAsync(a, Item.Step("d", "echo d > ${out}", @out: "d.txt"))).AssertSuccess();
        var r = (await p.BuildAsync([a], new StepUp.Engine.Building.BuildOptions { Jobs = 2, Clean = false })).AssertSuccess();
        Assert.IsTrue(p.Exists("d.txt"), r.ToString());
        Assert.AreEqual(0, r.Summary.Removed);
    }

    [TestMethod]
    public async Task AStepThatTakesOverAnOrphanOutput_RunsAndKeepsTheFile()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("old", "echo same > ${out}", @out: "x.txt"))).AssertSuccess();
        var r = (await p.BuildAsync(Item.Step("new", "echo same > ${out}", @out: "x.txt"))).AssertSuccess();
        r.AssertStarted("new");
        Assert.IsFalse(r.Events.RemovedFile("x.txt"), "The file has a producer again.\n" + r);
        Assert.IsTrue(p.Exists("x.txt"));
        (await p.BuildAsync(Item.Step("new", "echo same > ${out}", @out: "x.txt"))).AssertNothingRan(1);
    }
}
