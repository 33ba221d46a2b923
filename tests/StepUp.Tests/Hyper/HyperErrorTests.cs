using StepUp.Engine.Graph;
using StepUp.Engine.Hyper;
using StepUp.Engine.Planning;
using static StepUp.Tests.Hyper.HyperPlan;

namespace StepUp.Tests.Hyper;

/// <summary>
/// Every error of reference §9.8 with its code, the item's line and the column in the value, and
/// ducttape's shouldError cases (research/ducttape.md §5.2). An invalid plan has no steps.
/// </summary>
[TestClass]
public sealed class HyperErrorTests
{
    static Diagnostic Expect(HyperItems items, string code, int line, string? column = null, params string[] fragments)
    {
        using var p = new HyperPlan();
        var plan = p.Plan(items);
        Assert.IsFalse(plan.IsValid, "The plan should be invalid:\n" + Describe(plan));
        var d = SingleError(plan, code);
        Assert.AreEqual(line, d.Location.Line, Describe(plan));
        if (column != null) StringAssert.Contains(d.Message, $"column {column} of the value");
        foreach (var fragment in fragments) StringAssert.Contains(d.Message, fragment);
        return d;
    }

    [TestMethod]
    public void UnparsableValue_PointsAtTheColumn() // shouldError/103: '+' in an unquoted value
    {
        Expect(new HyperItems().Step("hello", @params: "n=a+b"), Codes.BadValue, 2, "4", "'+'", "Params of step 'hello'");
        Expect(new HyperItems().Step("t", inp: "x=(B: a b"), Codes.BadValue, 2, null, "not closed");
        Expect(new HyperItems().Step("t", @params: "x=(a b)"), Codes.BadValue, 2, "3", "needs a name");
        Expect(new HyperItems().Step("t", @params: "x=$out@t1[B]"), Codes.BadValue, 2, "12");
    }

    [TestMethod]
    public void EmptyValue() // shouldSucceed/7 is an error in ducttape too: in=""
    {
        Expect(new HyperItems().Step("t", @params: "x="), Codes.EmptyValue, 2, null, "'x' has an empty value");
        Expect(new HyperItems().Global("g", " "), Codes.EmptyValue, 2, null, "no Value");
        Expect(new HyperItems().Step("t", @params: "x=(B: a= b=2)"), Codes.EmptyValue, 2, "7");
    }

    [TestMethod]
    public void InvalidSequence()
    {
        Expect(new HyperItems().Step("t", @params: "x=(S: 1..5..0)"), Codes.BadSequence, 2, "7", "step");
        Expect(new HyperItems().Step("t", @params: "x=(S: 5..1)"), Codes.BadSequence, 2, "7", "ends before it starts");
        Expect(new HyperItems().Step("t", @params: "x=(S: 1..100001)"), Codes.BadSequence, 2, "7", "100,001".Replace(",", ""));
    }

    [TestMethod]
    public void InvalidAndDuplicateBranchNames() // shouldException/52
    {
        Expect(new HyperItems().Step("issue52", @params: "bar=(A: \"a=z\")"), Codes.BadBranchName, 2, "9", "'a=z'");
        Expect(new HyperItems().Step("t", @params: "x=(A: a b a)"), Codes.DuplicateBranch, 2, "11", "'a' twice");
    }

    [TestMethod]
    public void InconsistentBranchPoints_NameBothPlaces() // shouldError/77: reordered non-baseline branches are fine
    {
        var items = new HyperItems()
            .Step("a_ok", @params: "x=(BP: one two three)")
            .Step("b_ok", @params: "x=(BP: one two three)")
            .Step("c_ok", @params: "x=(BP: one three two)")
            .Step("d_fail_baseline", @params: "x=(BP: three two one)")
            .Step("e_fail_set", @params: "x=(BP: one two)");
        using var p = new HyperPlan();
        var plan = p.Plan(items);
        var errors = plan.Diagnostics.Where(d => d.Code == Codes.InconsistentBranchPoint).ToList();
        Assert.AreEqual(2, errors.Count, Describe(plan));
        Assert.AreEqual(5, errors[0].Location.Line);
        StringAssert.Contains(errors[0].Message, "baseline 'three' here but 'one' in Params of step 'a_ok' (line 2)");
        Assert.AreEqual(6, errors[1].Location.Line);
        StringAssert.Contains(errors[1].Message, "step 'a_ok' (line 2)");
        Assert.AreEqual(0, plan.Steps.Count);
    }

    [TestMethod]
    public void UnknownReferences()
    {
        Expect(new HyperItems().Step("t", inp: "in=$out@nope"), Codes.UnknownStep, 2, "4", "'nope'");
        Expect(new HyperItems().Step("t1", @out: "out").Step("t", inp: "in=$model@t1"), Codes.UnknownEntry, 3, "4", "no output named 'model'", "(it has out)");
        Expect(new HyperItems().Step("t", @params: "who=$someone"), Codes.UnknownGlobal, 2, "5", "'someone'"); // 01-08 without its config
        Expect(new HyperItems().Step("t", @params: "foo=@"), Codes.UnknownGlobal, 2, "5", "'@' stands for the global 'foo'");
        Expect(new HyperItems().Step("t1", @out: "out", @params: "p=(B: a b)").Step("t", inp: "in=$out@t1[C:c]"),
            Codes.UnknownBranchPoint, 3, "12", "branch point C");
        Expect(new HyperItems().Step("t1", @out: "out", @params: "p=(B: a b)").Step("t", inp: "in=$out@t1[B:c]"),
            Codes.UnknownBranch, 3, "12", "branch 'c'", "(a b)");
    }

    [TestMethod]
    public void GraftOnABranchPointTheSourceDoesNotHave()
    {
        Expect(new HyperItems()
            .Step("t1", @out: "out", @params: "p=(B: a b)")
            .Step("t2", @out: "out", @params: "q=(C: c d)")
            .Step("t", inp: "in=$out@t2[B:b]"), Codes.GraftNotInSource, 4, "4", "step 't2' does not vary over it", "(it varies over C)");
    }

    [TestMethod]
    public void StepLeftWithNoRealization_NamesTheGraft()
    {
        using var p = new HyperPlan();
        p.Files("x");
        var plan = p.Plan(new HyperItems()
            .Step("t1", inp: "in=(B: a=(C: c1=x c2=x) b=x)", @out: "out")
            .Step("t2", inp: "in=$out@t1[B:b,C:c2]"));
        var d = SingleError(plan, Codes.NoRealization);
        Assert.AreEqual(3, d.Location.Line);
        StringAssert.Contains(d.Message, "the graft on input 'in' matches no realization of 't1'");
    }

    [TestMethod]
    public void BranchPointOnAnOutput() // shouldError/53
    {
        Expect(new HyperItems().Step("preproc", @out: "in=(DataSet: train=big.txt test=small.txt)"), Codes.VaryingOutput, 2, "4", "may not be a branch point");
        Expect(new HyperItems().Step("t1", @out: "out").Step("t", @out: "o=$out@t1"), Codes.VaryingOutput, 3, "3");
    }

    [TestMethod]
    public void ParameterReferringToAnOutput() // shouldError/48
    {
        Expect(new HyperItems().Step("first", @out: "out").Step("second", @params: "a=$out@first"), Codes.ParamRefersToOutput, 3, "3", "use Inp");
        Expect(new HyperItems().Step("t1", @params: "p=1").Step("t", inp: "in=$p@t1"), Codes.InputRefersToParam, 3, "4");
    }

    [TestMethod]
    public void DuplicateEntryAndDuplicateGlobal() // shouldError/51
    {
        Expect(new HyperItems().Step("hello_world", @out: "who", @params: "who=1;what=2"), Codes.DuplicateEntry, 2, null, "'who' twice");
        Expect(new HyperItems().Step("t", @params: "what=1;what=2"), Codes.DuplicateEntry, 2, "8");
        var d = Expect(new HyperItems().Global("someone", "hello").Global("someone", "world"), Codes.DuplicateGlobal, 3, null, "defined twice");
        StringAssert.Contains(d.Message, "p.stepproj(3)");
        StringAssert.Contains(d.Message, "p.stepproj(2)");
    }

    [TestMethod]
    public void Cycles()
    {
        Expect(new HyperItems().Global("a", "$b").Global("b", "$a").Step("t", @params: "x=$a"), Codes.ReferenceCycle, 2, null, "$a -> $b -> $a");
        Expect(new HyperItems().Step("a", inp: "x=$o@b", @out: "o").Step("b", inp: "y=$o@a", @out: "o"), Codes.ReferenceCycle, 2, null, "a -> b -> a");
        Expect(new HyperItems().Step("a", @params: "p=$q@b").Step("b", @params: "q=$p@a"), Codes.ReferenceCycle, 2);
    }

    [TestMethod]
    public void PlanErrors_NameWhatIsWrong() // ducttape #144 reported only "zero tasks"
    {
        HyperItems Items() => new HyperItems().Step("t", @params: "x=(B: a b)");
        Expect(Items().Plan("P", "nope"), Codes.PlanUnknownStep, 3, null, "step 'nope'");
        Expect(Items().Plan("P", "t", "(C: *)"), Codes.PlanUnknownBranchPoint, 3, "2", "'C'");
        Expect(Items().Plan("P", "t", "(B: a c)"), Codes.PlanUnknownBranch, 3, null, "branch 'c' of B", "(a b)");
        Expect(Items().Plan("P", "t", "(B: a) (B: b)"), Codes.BadPlan, 3, "8", "'*'");
        // C exists only under B=a: the graft forces B=a, which the plan refuses.
        Expect(new HyperItems().Step("v", @out: "o", @params: "p=(B: a=(C: c) b=x)").Step("u", inp: "in=$o@v[C:c]").Plan("P", "u", "(B: b)"),
            Codes.PlanReachesNothing, 4, null, "reaches nothing");
        Expect(Items().Plan("P", "t").Settings(plan: "Q"), Codes.UnknownPlan, 0, null, "'Q'");
        Expect(Items().Settings(plan: "Q"), Codes.UnknownPlan, 0, null, "has no <Plan>");
    }

    [TestMethod]
    public void NamesOfHyperSteps()
    {
        Expect(new HyperItems().Step("a/b", @params: "x=1"), Codes.BadHyperStepName, 2);
        Expect(new HyperItems().Step("t", inp: "(B: a b)"), Codes.UnnamedValue, 2, "1", "no name");
        Expect(new HyperItems().Step("t", @params: "plain"), Codes.UnnamedValue, 2, "1");
        Expect(new HyperItems().Global("1x", "y"), Codes.BadGlobal, 2);
        Expect(new HyperItems().Step("t", @params: "x=1").Step("t", @params: "y=1"), Codes.DuplicateStep, 3);
    }

    [TestMethod]
    public void ValueLocator_FindsTheColumnInTheFile()
    {
        using var p = new HyperPlan();
        var file = Path.Combine(p.Root, "x.stepproj");
        File.WriteAllText(file, "<Project>\n  <ItemGroup>\n    <Step Include=\"t\" Command=\"echo &gt; x\"\n          Params=\"a=1;n=a+b\" />\n  </ItemGroup>\n</Project>\n");
        var locator = new ValueLocator();
        var at = locator.Locate(new ValueOrigin(new SourceLocation(file, 3, 5), "Params", 7, "step 't'"));
        Assert.AreEqual(new SourceLocation(file, 4, 26), at, "the '+' of a+b");
        File.WriteAllText(file, "<Project>\n  <Step Include=\"t\" Command=\"a &amp;&amp; b\" Params=\"x=(B: 1 &quot;2)\" />\n</Project>\n");
        at = new ValueLocator().Locate(new ValueOrigin(new SourceLocation(file, 2, 3), "Params", 9, "step 't'"));
        Assert.AreEqual(new SourceLocation(file, 2, 68), at, "entities before the value do not count; one inside it counts as one character");
    }
}
