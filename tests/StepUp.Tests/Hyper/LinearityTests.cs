using StepUp.Engine.Hyper;
using StepUp.Engine.Planning;
using static StepUp.Tests.Hyper.HyperPlan;

namespace StepUp.Tests.Hyper;

/// <summary>
/// The forward pass builds a number of partial realizations proportional to what it keeps: a glob
/// is never the cross product of its members' choices filtered afterwards (ducttape #159).
/// These count work; they do not time it.
/// </summary>
[TestClass]
public sealed class LinearityTests
{
    [TestMethod]
    public void GlobOver2000Branches_WithAnotherBranchPoint_IsLinear()
    {
        using var p = new HyperPlan();
        var letters = string.Join(" ", Enumerable.Range(0, 2000).Select(i => "l" + i));
        var items = new HyperItems()
            .Step("foo", @out: "o", @params: $"l=(Letter: {letters});x=(X: x1 x2 x3 x4 x5)")
            .Step("bar", inp: "all=$o@foo[Letter:*]")
            .Plan("All", "bar", "(X: *)");
        var plan = p.Valid(items);
        Assert.AreEqual(5, Wanted(plan, "bar").Count());
        Assert.AreEqual(2000, Get(plan, "bar/X.x3").Inputs.Count);
        Assert.AreEqual(10_000, Wanted(plan, "foo").Count());

        var workflow = Workflow(p.Root, items);
        var pass = new RealizationEnumerator(workflow, RealizationFilter.None);
        pass.RunAll();
        Assert.IsTrue(pass.Produced <= 4 * 10_000, $"{pass.Produced} partial realizations for 10,005 realizations");
    }

    [TestMethod]
    public void CrossProductOfThreeBranchPoints_ThroughAPipeline_IsLinear()
    {
        using var p = new HyperPlan();
        var items = new HyperItems()
            .Step("a", @out: "o", @params: "x=(X: 0..9);y=(Y: 0..9);z=(Z: 0..9)")
            .Step("b", inp: "in=$o@a", @out: "o")
            .Step("c", inp: "in=$o@b", @out: "o")
            .Plan("All", "c", "(X: *) * (Y: *) * (Z: *)");
        var plan = p.Valid(items);
        Assert.AreEqual(3000, plan.Steps.Count);
        var pass = new RealizationEnumerator(Workflow(p.Root, items), RealizationFilter.None);
        pass.RunAll();
        Assert.IsTrue(pass.Produced <= 4 * 3000, $"{pass.Produced} partial realizations for 3,000 realizations");
    }

    static HyperWorkflow Workflow(string root, HyperItems items)
    {
        var problems = new List<Diagnostic>();
        var builder = new WorkflowBuilder(problems, new ValueLocator());
        var order = 0;
        foreach (var item in items.Items.Where(i => i.ItemType == "Step")) builder.AddStep(item, item.Include, order++);
        builder.AddGlobals(items.Items.Where(i => i.ItemType == "Global"));
        builder.Resolve();
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems.Select(d => d.Message)));
        return builder.Workflow;
    }
}
