namespace StepUp.Tests.EndToEnd;

/// <summary>
/// What StepUp adds to ducttape's HyperWorkflows: an edit reruns exactly the realizations it
/// affects, a new branch point whose baseline is the old value reruns only its new branches,
/// switching plans removes nothing, and removing a branch cleans exactly its realizations.
/// </summary>
[TestClass]
public sealed class HyperRerunTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Twelve = "a b c d e f g h i j k l";

    static string Foo(string letters, string extra = "") =>
        $$"""<Step Include="foo" Params="param=(Letter: {{letters}}){{extra}}" Out="letter" Command="echo ${param} &gt; ${letter}" />""";

    const string Bar = """<Step Include="bar" Inp="letters=$letter@foo[Letter:*]" Out="all" Command="cat ${letters} &gt; ${all}" />""";

    static IEnumerable<string> Started(BuildResult r, string step) => r.StartedSteps.Where(s => s.StartsWith(step + "/", StringComparison.Ordinal));

    [TestMethod]
    public void GlobOverTwelveBranches_ThenEditAddAndRemoveBranches()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Foo(Twelve, ";k=old"), Bar);
        var first = p.Build().AssertSuccess();
        Assert.AreEqual(12, Started(first, "foo").Count(), "a glob's branches are all built (they are graft relaxations)");
        first.Check(first.Ran("bar/Baseline.baseline"), "bar collects them");
        Assert.AreEqual(Twelve.Replace(" ", "\n") + "\n", p.ReadFile("realizations/bar/Baseline.baseline/all"), "in branch order");

        // Editing one branch's value reruns that realization and the reduce that reads it.
        p.WriteSteps(Foo(Twelve.Replace(" c ", " c=C "), ";k=old"), Bar);
        var edited = p.Build().AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "foo/Letter.c", "bar/Baseline.baseline" }, edited.StartedSteps.ToList());
        edited.Check(edited.Skipped("foo/Letter.b"), "the other realizations are skipped");
        StringAssert.Contains(p.ReadFile("realizations/bar/Baseline.baseline/all"), "b\nC\nd\n");

        // A new branch point whose baseline is the old value: only its new branches run. The glob's
        // branches are relaxations, so bar/K.new has every foo/K.new+Letter.x built for it.
        p.WriteSteps(Foo(Twelve.Replace(" c ", " c=C "), ";k=(K: old new)"), Bar);
        var added = p.Build().AssertSuccess();
        added.Check(added.StartedSteps.Count == 13 && added.StartedSteps.All(s => s.Contains("K.new", StringComparison.Ordinal)),
            "Adding (K: old new) where the value was old keeps every existing name and state: only K.new runs");
        added.Check(added.Skipped("foo/Letter.c") && added.Skipped("bar/Baseline.baseline"), "the old realizations are skipped");

        // Removing a branch cleans exactly its realizations; the reduce reruns without it.
        p.WriteSteps(Foo(Twelve.Replace(" c ", " c=C ").Replace(" l", ""), ";k=(K: old new)"), Bar);
        var removed = p.Build().AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "bar/Baseline.baseline", "bar/K.new" }, removed.StartedSteps.ToList());
        removed.Check(removed.Removed("realizations/foo/Letter.l/letter") && removed.Removed("realizations/foo/K.new+Letter.l/letter"),
            "the removed branch's outputs are cleaned");
        removed.Check(removed.Lines.Count(l => l.Contains("REMOVE \u2502", StringComparison.Ordinal)) == 2, "and nothing else");
        Assert.IsFalse(p.FileExists("realizations/foo/Letter.l/letter"));
        Assert.IsTrue(p.FileExists("realizations/foo/Letter.k/letter"));
        Assert.IsFalse(p.ReadFile("realizations/bar/Baseline.baseline/all").Contains('l', StringComparison.Ordinal));
    }

    [TestMethod]
    public void EditingAParameterValue_RerunsOnlyTheRealizationsThatUseIt()
    {
        using var p = new TestProject(_home);
        string Items(string lr, string epochs) => $$"""
              <ItemGroup>
                <Step Include="train" Params="lr=(LR: {{lr}});epochs={{epochs}}" Out="model" Command="echo lr=$lr epochs=$epochs &gt; ${model}" />
                <Step Include="report" Inp="model=@train" Out="report" Command="cat ${model} &gt; ${report}" />
              </ItemGroup>
            """;
        p.WriteProject(Items("0.1 0.2 0.3", "5"));
        var first = p.Build().AssertSuccess();
        Assert.AreEqual(6, first.StartedSteps.Count);
        Assert.AreEqual("lr=0.2 epochs=5\n", p.ReadFile("realizations/report/LR.0.2/report"), "parameters are environment variables of the step");

        p.WriteProject(Items("0.1 0.2 0.3=0.35", "5"));
        var one = p.Build().AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "train/LR.0.3", "report/LR.0.3" }, one.StartedSteps.ToList(),
            "a parameter read only from the environment is still part of the hash");

        p.WriteProject(Items("0.1 0.2 0.3=0.35", "6"));
        var all = p.Build().AssertSuccess();
        Assert.AreEqual(6, all.StartedSteps.Count, "a value every realization uses reruns them all");
    }

    [TestMethod]
    public void SwitchingPlans_RemovesNoResults_AndSwitchingBackSkips()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="run" Params="seed=(Seed: 1..3);size=(Size: small big)" Out="out" Command="echo ${seed} ${size} &gt; ${out}" />""",
            """<Step Include="sum" Inp="all=$out@run[Seed:*]" Out="sum" Command="cat ${all} &gt; ${sum}" />""",
            """<Plan Include="Small" Reach="sum" />""",
            """<Plan Include="Big" Reach="sum" Via="(Size: big)" />""");
        var small = p.Build("-p:StepUpPlan=Small").AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "run/Baseline.baseline", "run/Seed.2", "run/Seed.3", "sum/Baseline.baseline" }, small.StartedSteps.ToList());

        var big = p.Build("-p:StepUpPlan=Big").AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "run/Size.big", "run/Seed.2+Size.big", "run/Seed.3+Size.big", "sum/Size.big" }, big.StartedSteps.ToList());
        big.Check(!big.Lines.Any(l => l.Contains("REMOVE \u2502", StringComparison.Ordinal)), "switching plans removes nothing");
        Assert.AreEqual("1 small\n2 small\n3 small\n", p.ReadFile("realizations/sum/Baseline.baseline/sum"));

        var back = p.Build("-p:StepUpPlan=Small").AssertSuccess();
        back.Check(!back.AnyStepStarted, "the Small plan's results are reused");
        back.Check(back.Skipped("sum/Baseline.baseline"), "and reported as skipped");

        var both = p.Build().AssertSuccess("without StepUpPlan every plan is used");
        both.Check(!both.AnyStepStarted && both.Skipped("sum/Size.big") && both.Skipped("sum/Baseline.baseline"), "both plans' results are up to date");

        // StepUpTargets builds one left-out realization without cleaning anything.
        p.WriteSteps(
            """<Step Include="run" Params="seed=(Seed: 1..3);size=(Size: small big)" Out="out" Command="echo ${seed} ${size} again &gt; ${out}" />""",
            """<Step Include="sum" Inp="all=$out@run[Seed:*]" Out="sum" Command="cat ${all} &gt; ${sum}" />""",
            """<Plan Include="Small" Reach="sum" />""",
            """<Plan Include="Big" Reach="sum" Via="(Size: big)" />""");
        var target = p.Build("-p:StepUpPlan=Small", "-p:StepUpTargets=realizations/run/Seed.2+Size.big/out").AssertSuccess();
        CollectionAssert.AreEquivalent(new[] { "run/Seed.2+Size.big" }, target.StartedSteps.ToList(), "a target may name a realization the plan leaves out");
    }
}
