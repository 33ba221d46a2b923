using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>
/// Jobs and named resources. The fake runner counts how many steps run at once; a step that holds
/// a moment gives the scheduler the chance to start another beside it. Steps that must overlap
/// wait for each other (with a bound). No assertion depends on how long anything takes.
/// </summary>
[TestClass]
public sealed class SchedulingTests
{
    static string Exclusive(string name) => $"sleep 0.2; echo {name} > ${{out}}";

    /// <summary>Succeeds only if the other step starts while this one runs.</summary>
    static string Meet(string me, string other) => $"wait-for {other}; echo {me} > ${{out}}";

    [TestMethod]
    public async Task TwoJobs_RunTwoStepsAtOnce()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            [
                Item.Step("left", Meet("left", "right"), @out: "left.txt"),
                Item.Step("right", Meet("right", "left"), @out: "right.txt"),
            ],
            new BuildOptions { Jobs = 2 })).AssertSuccess("Each step waits for the other to start.");
        Assert.AreEqual(2, r.Summary.Ran);
        Assert.AreEqual(2, p.Fake.PeakRunning);
    }

    [TestMethod]
    public async Task OneJob_NeverOverlaps()
    {
        using var p = new EngineProject();
        var items = Enumerable.Range(1, 4).Select(i => Item.Step($"s{i}", Exclusive($"s{i}"), line: 2 + i, @out: $"s{i}.txt")).ToList();
        var r = (await p.BuildAsync(items, new BuildOptions { Jobs = 1 })).AssertSuccess();
        Assert.AreEqual(4, r.Summary.Ran);
        Assert.AreEqual(1, p.Fake.PeakRunning, "Steps overlapped.\n" + r);
    }

    [TestMethod]
    public async Task StepsSharingAResource_NeverOverlap()
    {
        using var p = new EngineProject();
        var items = Enumerable.Range(1, 3).Select(i => Item.Step($"g{i}", Exclusive($"g{i}"), line: 2 + i, @out: $"g{i}.txt", resources: "gpu:1")).ToList();
        var r = (await p.BuildAsync(items, new BuildOptions { Jobs = 4, Resources = new Dictionary<string, int> { ["gpu"] = 1 } })).AssertSuccess();
        Assert.AreEqual(3, r.Summary.Ran);
        Assert.AreEqual(1, p.Fake.PeakRunning, "Steps overlapped.\n" + r);
        for (var i = 1; i <= 3; i++) Assert.IsTrue(p.Exists($"g{i}.txt"));
    }

    [TestMethod]
    public async Task AResourceWithTwoUnits_LetsTwoStepsRunTogether()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            [
                Item.Step("left", Meet("left", "right"), @out: "left.txt", resources: "gpu:1"),
                Item.Step("right", Meet("right", "left"), @out: "right.txt", resources: "gpu:1"),
            ],
            new BuildOptions { Jobs = 2, Resources = new Dictionary<string, int> { ["gpu"] = 2 } })).AssertSuccess();
        Assert.AreEqual(2, r.Summary.Ran);
    }

    [TestMethod]
    public async Task AStepNeedingMoreThanAvailable_IsReported()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            [
                Item.Step("big", "echo big > ${out}", line: 3, @out: "big.txt", resources: "gpu:2"),
                Item.Step("small", "echo small > ${out}", line: 4, @out: "small.txt", resources: "gpu:1"),
            ],
            new BuildOptions { Jobs = 2, Resources = new Dictionary<string, int> { ["gpu"] = 1 } })).AssertFailure();
        r.AssertNotStarted("big");
        Assert.IsTrue(r.Events.Succeeded("small"), r.ToString());
        var d = r.Single(Codes.MissingInput);
        Assert.AreEqual(Item.At(3), d.Location);
        StringAssert.Contains(d.Message, "big");
        StringAssert.Contains(d.Message, "gpu:2");
        Assert.AreEqual(1, r.Summary.NotRun);
    }

    [TestMethod]
    public async Task AStepNeedingAResourceNobodyProvides_IsReported()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(Item.Step("tpu", "echo x", line: 3, resources: "tpu:1"))).AssertFailure();
        r.AssertNotStarted("tpu");
        Assert.AreEqual(Item.At(3), r.Single(Codes.MissingInput).Location);
    }

    [TestMethod]
    public async Task ASkippedStep_NeedsNoResources()
    {
        using var p = new EngineProject();
        ItemSpec[] items = [Item.Step("g", "echo g > ${out}", @out: "g.txt", resources: "gpu:1")];
        (await p.BuildAsync(items, new BuildOptions { Jobs = 2, Resources = new Dictionary<string, int> { ["gpu"] = 1 } })).AssertSuccess();
        var r = await p.BuildAsync(items, new BuildOptions { Jobs = 2 });
        r.AssertNothingRan(1);
    }

    [TestMethod]
    public async Task ARunnerThatQueuesSteps_ReportsWhenEachWaitsAndWhenItRuns()
    {
        using var p = new EngineProject(queues: true);
        var r = (await p.BuildAsync(Item.Step("batch", "echo b > ${out}", @out: "b.txt"))).AssertSuccess();
        var lines = r.Events.Lines.ToList();
        var order = new[] { ("START", "batch"), ("QUEUED", "batch"), ("RUNNING", "batch"), ("SUCCESS", "batch") }.Select(l => lines.IndexOf(l)).ToList();
        Assert.IsTrue(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), "START, QUEUED, RUNNING, SUCCESS in this order.\n" + r);
    }
}
