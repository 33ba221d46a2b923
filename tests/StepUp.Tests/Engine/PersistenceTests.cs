using StepUp.Engine.Planning;
using StepUp.Engine.Storage;

namespace StepUp.Tests.Engine;

/// <summary>The graph survives the director: new sessions, a lost database, an interrupted build.</summary>
[TestClass]
public sealed class PersistenceTests
{
    static ItemSpec[] Chain(EngineProject p)
    {
        p.Write("in.txt", "input\n");
        return
        [
            Item.Static("in.txt"),
            Item.Step("make", "cat ${inp} > ${out}; echo v > ${vol}", inp: "in.txt", @out: "made.txt", vol: "make.log"),
            Item.Step("use", "cat ${inp} > ${out}", inp: "made.txt", @out: "used.txt"),
        ];
    }

    [TestMethod]
    public async Task ANewSession_SkipsEverything()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();

        p.Restart();
        var r = await p.BuildAsync(items);
        r.AssertNothingRan(2);
        r.AssertSkipped("make", "use");
    }

    [TestMethod]
    public async Task ANewSession_StillSeesEdits()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();

        p.Restart();
        p.Write("in.txt", "changed input\n");
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("make", "use");
        Assert.AreEqual("changed input\n", p.Read("used.txt"));
    }

    [TestMethod]
    public async Task ANewSession_StillCleansOrphansOfTheOldPlan()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();

        p.Restart();
        var r = (await p.BuildAsync(items[0], items[1])).AssertSuccess();
        Assert.IsTrue(r.Events.RemovedFile("used.txt"), r.ToString());
        Assert.IsFalse(p.Exists("used.txt"));
    }

    [TestMethod]
    public async Task DeletingTheDatabase_RunsEverythingAgain()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();

        p.Restart();
        File.Delete(Path.Combine(p.Root, ".stepup", "graph.db"));
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("make", "use");
        Assert.AreEqual(2, r.Summary.Ran);
        Assert.AreEqual(0, r.Summary.Skipped);

        (await p.BuildAsync(items)).AssertNothingRan(2);
    }

    [TestMethod]
    public async Task AfterAnInterruptedBuild_UnchangedFilesAreStillSkipped()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();
        p.Restart();

        using (var store = GraphStore.Open(p.Root)) store.MarkBuildStarted();

        var r = await p.BuildAsync(items);
        r.AssertNothingRan(2);
        var log = File.ReadAllText(Path.Combine(p.Root, ".stepup", "director.log"));
        StringAssert.Contains(log, "interrupted", "The session should notice the interrupted build and hash every file again.");

        // The build that noticed it finished cleanly: the flag is cleared.
        p.Restart();
        using (var store = GraphStore.Open(p.Root)) Assert.IsFalse(store.WasInterrupted);
    }

    [TestMethod]
    public async Task AfterAnInterruptedBuild_ASameSizeEditWithRestoredMtime_IsDetected()
    {
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();
        p.Restart();

        // Same size, other content, and the old modification time put back.
        var output = p.FullPath("made.txt");
        var input = p.FullPath("in.txt");
        var outputTime = File.GetLastWriteTimeUtc(output);
        var inputTime = File.GetLastWriteTimeUtc(input);
        File.WriteAllText(output, "INPUT\n");
        File.SetLastWriteTimeUtc(output, outputTime);
        Assert.AreEqual(outputTime, File.GetLastWriteTimeUtc(output));

        using (var store = GraphStore.Open(p.Root)) store.MarkBuildStarted();

        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("make");
        r.AssertSkipped("use");
        Assert.AreEqual("input\n", p.Read("made.txt"), "The producer restores its output.");

        // The same for a static input: its consumer runs again.
        p.Restart();
        File.WriteAllText(input, "INPUT\n");
        File.SetLastWriteTimeUtc(input, inputTime);
        using (var store = GraphStore.Open(p.Root)) store.MarkBuildStarted();
        var again = (await p.BuildAsync(items)).AssertSuccess();
        Assert.AreEqual("INPUT\n", p.Read("made.txt"), "make ran with the new input");
        again.AssertStarted("make", "use");
        Assert.AreEqual("INPUT\n", p.Read("used.txt"));
    }

    [TestMethod]
    public async Task AnInterruptedBuildInTheSameSession_IsNoticed()
    {
        // Another director (say, another SDK version) left a build unfinished while this session kept its graph.
        using var p = new EngineProject();
        var items = Chain(p);
        (await p.BuildAsync(items)).AssertSuccess();
        using (var store = GraphStore.Open(p.Root))
        {
            store.MarkBuildStarted();
            store.Save(store.Load()); // bumps the generation, as any save of another director does
        }
        var r = await p.BuildAsync(items);
        r.AssertNothingRan(2);
        StringAssert.Contains(File.ReadAllText(Path.Combine(p.Root, ".stepup", "director.log")), "interrupted");
    }

    [TestMethod]
    public async Task AFailedStep_IsRememberedAcrossSessions()
    {
        using var p = new EngineProject();
        p.Env["STEPUP_TEST_EXIT"] = "1";
        ItemSpec[] items = [Item.Step("flaky", "exit $STEPUP_TEST_EXIT", @out: "never.txt")];
        (await p.BuildAsync(items)).AssertFailure();
        p.Restart();
        var r = (await p.BuildAsync(items)).AssertFailure();
        r.AssertStarted("flaky");
    }

    [TestMethod]
    public async Task TheLastSuccessfulStateIsKept_WhenALaterRunFails()
    {
        using var p = new EngineProject();
        p.Write("in.txt", "good\n");
        ItemSpec[] items =
        [
            Item.Static("in.txt"),
            Item.Step("check", "grep -q good ${inp} && cat ${inp} > ${out}", inp: "in.txt", @out: "ok.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();
        p.Write("in.txt", "bad input\n");
        (await p.BuildAsync(items)).AssertFailure();
        p.Restart();
        p.Write("in.txt", "good\n");
        // The inputs are as at the last success, but the step failed since: it must run again.
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("check");
    }
}
