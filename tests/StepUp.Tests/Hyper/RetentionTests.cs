using StepUp.Engine.Planning;
using static StepUp.Tests.Hyper.HyperPlan;

namespace StepUp.Tests.Hyper;

/// <summary>
/// Realizations the plans leave out stay in the plan, left out, while the workflow can still
/// produce them (reference §9.4): only a removed step, branch or branch point makes them orphans.
/// </summary>
[TestClass]
public sealed class RetentionTests
{
    static HyperItems Letters(string letters, string plan) => new HyperItems()
        .Step("foo", @out: "letter", @params: $"param=(Letter: {letters})")
        .Step("bar", inp: "in=$letter@foo")
        .Plan("Only", "bar", plan)
        .Settings(plan: "Only");

    [TestMethod]
    public void AnotherPlan_LeavesTheOldRealizationsInThePlan_LeftOut()
    {
        using var p = new HyperPlan();
        var first = p.Valid(Letters("a b c d", "(Letter: b c)"));
        Assert.AreEqual("{Letter.b, Letter.c}", Of(first, "bar"));
        var second = p.Valid(Letters("a b c d", "(Letter: d)"), known: first.Steps);
        Assert.AreEqual("{Letter.d}", Of(second, "bar"));
        var leftOut = second.Steps.Where(s => s.LeftOut).Select(s => s.Key).ToList();
        CollectionAssert.AreEquivalent(new[] { "foo/Letter.b", "foo/Letter.c", "bar/Letter.b", "bar/Letter.c" }, leftOut);
        var again = p.Valid(Letters("a b c d", "(Letter: b c)"), known: second.Steps);
        Assert.AreEqual("{Letter.b, Letter.c}", Of(again, "bar"));
        CollectionAssert.AreEquivalent(new[] { "foo/Letter.d", "bar/Letter.d" }, again.Steps.Where(s => s.LeftOut).Select(s => s.Key).ToList());
        var same = first.Steps.Single(s => s.Key == "bar/Letter.b");
        Assert.IsTrue(same.SameAs(again.Steps.Single(s => s.Key == "bar/Letter.b")), "selected again, it is the same step");
    }

    [TestMethod]
    public void RemovingABranch_DropsExactlyItsRealizations()
    {
        using var p = new HyperPlan();
        var first = p.Valid(Letters("a b c d", "(Letter: *)"));
        var second = p.Valid(Letters("a b d", "(Letter: *)"), known: first.Steps);
        var keys = second.Steps.Select(s => s.Key).ToList();
        CollectionAssert.DoesNotContain(keys, "foo/Letter.c");
        CollectionAssert.DoesNotContain(keys, "bar/Letter.c");
        Assert.AreEqual(6, keys.Count);
        Assert.IsFalse(second.Steps.Any(s => s.LeftOut));
    }

    [TestMethod]
    public void RemovingABranchPointOrAStep_DropsItsRealizations()
    {
        using var p = new HyperPlan();
        var items = new HyperItems()
            .Step("t", @params: "x=(X: x1 x2);k=(K: old new)")
            .Step("u", @params: "y=(Y: y1 y2)");
        var first = p.Valid(items);
        Assert.AreEqual("{Baseline.baseline, K.new, X.x2}", Of(first, "t"));
        var second = p.Valid(new HyperItems().Step("t", @params: "x=(X: x1 x2)"), known: first.Steps);
        CollectionAssert.AreEqual(new[] { "t/Baseline.baseline", "t/X.x2" }, second.Steps.Select(s => s.Key).ToArray());
    }

    [TestMethod]
    public void AnEditedValue_KeepsTheRealization_WithItsNewDefinition()
    {
        using var p = new HyperPlan();
        var first = p.Valid(Letters("a b c", "(Letter: b)"));
        var edited = new HyperItems()
            .Step("foo", @out: "letter", @params: "param=(Letter: a b c)", command: "echo edited")
            .Step("bar", inp: "in=$letter@foo")
            .Plan("Only", "bar", "(Letter: c)")
            .Settings(plan: "Only");
        var second = p.Valid(edited, known: first.Steps);
        var kept = second.Steps.Single(s => s.Key == "foo/Letter.b");
        Assert.IsTrue(kept.LeftOut);
        Assert.AreEqual("echo edited", kept.Command);
    }

    [TestMethod]
    public void LongNames_AreRetainedThroughTheRecordedRealization()
    {
        using var p = new HyperPlan();
        var a = new string('a', 130);
        var b = new string('b', 130);
        HyperItems Items(string via) => new HyperItems()
            .Step("t", @params: $"x=(X: base {a});y=(Y: base {b})")
            .Plan("P", "t", via)
            .Settings(plan: "P");
        var first = p.Valid(Items("(X: *) * (Y: *)"));
        var second = p.Valid(Items("(X: base) * (Y: base)"), known: first.Steps);
        Assert.AreEqual(3, second.Steps.Count(s => s.LeftOut), Describe(second));
        Assert.IsTrue(second.Steps.Any(s => s.LeftOut && s.Realization == $"X.{a}+Y.{b}"));
    }

    [TestMethod]
    public void AddingABranchPointWithTheOldValueAsBaseline_KeepsEveryName()
    {
        using var p = new HyperPlan();
        var first = p.Valid(new HyperItems().Step("t", @params: "lr=(LR: 0.1 0.2);k=old", command: "echo ${k} ${lr}"));
        var second = p.Valid(new HyperItems().Step("t", @params: "lr=(LR: 0.1 0.2);k=(K: old new)", command: "echo ${k} ${lr}"), known: first.Steps);
        foreach (var old in first.Steps)
            Assert.IsTrue(old.SameAs(second.Steps.Single(s => s.Key == old.Key)), old.Key + " keeps its definition");
        CollectionAssert.Contains(second.Steps.Select(s => s.Key).ToList(), "t/K.new");
    }
}
