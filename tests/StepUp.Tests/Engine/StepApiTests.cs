using StepUp.Engine.Building;

namespace StepUp.Tests.Engine;

/// <summary>
/// The step API as the engine answers it: the fake runner's <c>api</c> command sends a request the
/// way the clients do, with the step's token. (JSON escapes \u0024 for '$' keep the planner from
/// expanding a defined step's placeholders in the planning step's own command.)
/// </summary>
[TestClass]
public sealed class StepApiTests
{
    [TestMethod]
    public async Task ADefinedStepsPaths_TravelAsLists_SoAPathMayHoldASemicolon()
    {
        using var p = new EngineProject();
        p.Write("in;put.txt", "semi\n");
        var r = (await p.BuildAsync(
            Item.Static("in;put.txt"),
            Item.Step("plan", """api '{"type":"api.step","name":"copy","command":"cat \u0024{inp} > \u0024{out}","inp":["in;put.txt"],"out":["out;put.txt"]}'""",
                planning: "true"))).AssertSuccess();
        r.AssertStarted("plan", "copy");
        Assert.AreEqual("semi\n", p.Read("out;put.txt"), r.ToString());
    }

    [TestMethod]
    public async Task AnAmendedInputNotBuiltYet_DefersTheStepUntilItIs()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            Item.Step("maker", "echo late > ${out}", line: 3, @out: "late.txt", optional: "true"),
            Item.Step("reader", """api '{"type":"api.amend","inp":["late.txt"]}' && cat late.txt > ${out}""", line: 4, @out: "read.txt"))).AssertSuccess();
        var lines = r.Events.Lines.ToList();
        Assert.IsTrue(lines.Contains(("DEFERRED", "reader")), "reader waits for its amended input.\n" + r);
        Assert.AreEqual(2, r.Events.Tagged("START").Count(s => s == "reader"), "reader runs again.\n" + r);
        Assert.IsTrue(lines.IndexOf(("SUCCESS", "maker")) < lines.LastIndexOf(("START", "reader")), "reader runs again once maker made its input.\n" + r);
        Assert.AreEqual("late\n", p.Read("read.txt"));

        // Next time the amended input is built: nothing runs.
        (await p.BuildAsync(
            Item.Step("maker", "echo late > ${out}", line: 3, @out: "late.txt", optional: "true"),
            Item.Step("reader", """api '{"type":"api.amend","inp":["late.txt"]}' && cat late.txt > ${out}""", line: 4, @out: "read.txt"))).AssertNothingRan(2);
    }

    [TestMethod]
    public async Task AnAmendedInputBuiltWhileTheStepRan_DefersItOnce_AsUnfresh()
    {
        // StepUp's unfresh dynamic input: the reader started before maker was done, so what it read
        // may be half-written. Both start in the same dispatch (two jobs, neither needs the other).
        using var p = new EngineProject();
        var r = (await p.BuildAsync([
            Item.Step("maker", "echo made > ${out}", line: 3, @out: "made.txt"),
            Item.Step("reader", """wait-for maker && sleep 1 && api '{"type":"api.amend","inp":["made.txt"]}' && cat made.txt > ${out}""", line: 4, @out: "read.txt"),
        ], new BuildOptions { Jobs = 2 })).AssertSuccess();
        Assert.AreEqual(2, r.Events.Tagged("START").Count(s => s == "reader"), "reader runs again.\n" + r);
        CollectionAssert.Contains(r.Events.Pages.ToList(), ("Unfresh dynamic inputs", "made.txt"), r.ToString());
        Assert.IsFalse(r.Events.Pages.Any(page => page.Title == "Unavailable dynamic inputs"), r.ToString());
        Assert.AreEqual(1, r.Events.Tagged("DEFERRED").Count, r.ToString());
        Assert.AreEqual("made\n", p.Read("read.txt"));
    }

    [TestMethod]
    public async Task AnUnknownCall_IsRefusedWithItsName()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(Item.Step("odd", """api '{"type":"api.nope"}'""", line: 3))).AssertFailure();
        CollectionAssert.Contains(r.Events.Pages.ToList(), ("Standard error", "api: unknown call 'api.nope'\n"), r.ToString());
    }
}
