using StepUp.Engine.Planning;
using static StepUp.Tests.Hyper.HyperPlan;

namespace StepUp.Tests.Hyper;

/// <summary>
/// The realizations ducttape plans (research/ducttape.md §2-3, VERIFIED cases), as the planner
/// computes them: the golden cases of the algebra, with ducttape's bugs fixed (reference §9.9).
/// </summary>
[TestClass]
public sealed class RealizationAlgebraTests
{
    static string Var(Plan plan, string key, string name) => Get(plan, key).Variables[name];

    [TestMethod]
    public void HelloHyper_TheConsumerInheritsTheBranchPoint() // 03-01, example H
    {
        using var p = new HyperPlan();
        p.Files("small.txt", "big.txt");
        var plan = p.Valid(new HyperItems()
            .Step("has_branches", inp: "in=(WhichSize: smaller=small.txt bigger=big.txt)", @out: "out")
            .Step("parent_has_branches", inp: "in=$out@has_branches"));
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(plan, "has_branches"));
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(plan, "parent_has_branches"));
        var bigger = Get(plan, "parent_has_branches/WhichSize.bigger");
        CollectionAssert.AreEqual(new[] { "realizations/has_branches/WhichSize.bigger/out" }, bigger.Inputs.ToArray());
        Assert.AreEqual("realizations/parent_has_branches/WhichSize.bigger", bigger.Workdir);
        Assert.AreEqual("../../has_branches/WhichSize.bigger/out", bigger.Variables["in"]);
        Assert.AreEqual("../../../big.txt", Var(plan, "has_branches/WhichSize.bigger", "in"));
    }

    [TestMethod]
    public void OneOff_AtMostOneNonBaselineBranch() // 03-02: 3 realizations of one_off_2, not the 2 its comment says
    {
        using var p = new HyperPlan();
        p.Files("small.txt", "big.txt");
        var plan = p.Valid(new HyperItems()
            .Step("one_off_1", inp: "in=(WhichSize: smaller=small.txt bigger=big.txt)", @out: "out")
            .Step("one_off_2", inp: "in=$out@one_off_1", @params: "N=(N: one=1 two=2)"));
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(plan, "one_off_1"));
        Assert.AreEqual("{Baseline.baseline, N.two, WhichSize.bigger}", Of(plan, "one_off_2"));
        Assert.AreEqual("2", Var(plan, "one_off_2/N.two", "N"));
        Assert.AreEqual("1", Var(plan, "one_off_2/WhichSize.bigger", "N"));
    }

    [TestMethod]
    public void Sequences_ExactDecimalsNamedByTheirText() // §2.4, 03-03
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("run_several_times", @out: "x", @params: "trial=(WhichTrial: 1..10)")
            .Step("abc", @params: "a=(A: 0.1..0.5..0.2) b=(B: 1..10..4) c=(C: 5..7)".Replace(" b=", ";b=").Replace(" c=", ";c="))
            .Plan("All", "abc", "(A: *) * (B: *) * (C: *)")
            .Plan("All", "run_several_times", "(WhichTrial: *)"));
        Assert.AreEqual("{Baseline.baseline, WhichTrial.2, WhichTrial.3, WhichTrial.4, WhichTrial.5, WhichTrial.6, WhichTrial.7, WhichTrial.8, WhichTrial.9, WhichTrial.10}",
            Of(plan, "run_several_times"));
        Assert.AreEqual("1", Var(plan, "run_several_times/Baseline.baseline", "trial"));
        Assert.AreEqual("10", Var(plan, "run_several_times/WhichTrial.10", "trial"));
        var abc = Wanted(plan, "abc").ToList();
        Assert.AreEqual(27, abc.Count);
        Assert.AreEqual("0.3", Var(plan, "abc/A.0.3+B.9+C.7", "a"));
        Assert.AreEqual("9", Var(plan, "abc/A.0.3+B.9+C.7", "b"));
        CollectionAssert.AreEquivalent(new[] { "0.1", "0.3", "0.5" }, abc.Select(s => s.Variables["a"]).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { "1", "5", "9" }, abc.Select(s => s.Variables["b"]).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { "5", "6", "7" }, abc.Select(s => s.Variables["c"]).Distinct().ToArray());
    }

    [TestMethod]
    public void Names_BaselinesDroppedSortedOrdinallyJoinedByPlus() // §2.2
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("t", @params: "n=(N: one two);m=(M: 1..3);low=(a: x y)")
            .Plan("All", "t", "(N: *) * (M: *) * (a: *)"));
        var names = Wanted(plan, "t").Select(s => s.Realization).ToList();
        CollectionAssert.Contains(names, "N.two");
        CollectionAssert.Contains(names, "M.2+N.two");
        // Uppercase sorts before lowercase: ordinal order.
        CollectionAssert.Contains(names, "M.3+N.two+a.y");
        CollectionAssert.Contains(names, "Baseline.baseline");
        Assert.AreEqual(12, names.Count);
    }

    [TestMethod]
    public void LongNames_AreShortenedToTheirMd5()
    {
        using var p = new HyperPlan();
        var longA = new string('a', 130);
        var longB = new string('b', 130);
        var plan = p.Valid(new HyperItems()
            .Step("t", @params: $"x=(X: base {longA});y=(Y: base {longB})")
            .Plan("All", "t", "(X: *) * (Y: *)"));
        var canonical = $"X.{longA}+Y.{longB}";
        var step = Wanted(plan, "t").Single(s => s.Realization == canonical);
        var md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
        Assert.AreEqual("t/" + md5, step.Key);
        Assert.AreEqual("realizations/t/" + md5, step.Workdir);
    }

    [TestMethod]
    public void NestedBranchPoints_ExistOnlyUnderTheirOuterBranch() // §2.5
    {
        using var p = new HyperPlan();
        p.Files("d1", "d2", "d3", "t1", "t2");
        var plan = p.Valid(new HyperItems()
            .Step("predict", inp: "in=(DevOrTest: dev=(DevFold: d1=d1 d2=d2 d3=d3) test=(TestFold: t1=t1 t2=t2))", @out: "out")
            .Plan("All", "predict", "(DevOrTest: *) * (DevFold: *) * (TestFold: *)"));
        Assert.AreEqual("{Baseline.baseline, DevFold.d2, DevFold.d3, DevOrTest.test, DevOrTest.test+TestFold.t2}", Of(plan, "predict"));
        Assert.AreEqual("../../../t2", Var(plan, "predict/DevOrTest.test+TestFold.t2", "in"));
    }

    [TestMethod]
    public void NestedSequences_MayDifferUnderDifferentOuterBranches() // the seed's fold=(DevOrTest: dev=(Fold: 1..4) test=(Fold: 1..8))
    {
        using var p = new HyperPlan();
        p.Files("dev.txt", "test.txt");
        var plan = p.Valid(new HyperItems()
            .Step("predict", inp: "indir=(DevOrTest: dev=dev.txt test=test.txt)", @out: "out",
                @params: "fold=(DevOrTest: dev=(Fold: 1..4) test=(Fold: 1..8))")
            .Plan("All", "predict", "(DevOrTest: *) * (Fold: *)"));
        var names = Wanted(plan, "predict").Select(s => s.Realization).ToList();
        Assert.AreEqual(12, names.Count, string.Join(", ", names));
        CollectionAssert.Contains(names, "Fold.4");
        CollectionAssert.DoesNotContain(names, "Fold.5");
        CollectionAssert.Contains(names, "DevOrTest.test+Fold.8");
        Assert.AreEqual("8", Var(plan, "predict/DevOrTest.test+Fold.8", "fold"));
    }

    [TestMethod]
    public void NestedThroughGlobals_OneBranchPointEachAndConsistent() // 03-08: uses_nested {BL, NumRefs.multiRef, Test.mt02}
    {
        using var p = new HyperPlan();
        p.Files("small.txt", "big.txt");
        var plan = p.Valid(new HyperItems()
            .Step("uses_nested", inp: "file=$ref_test", @params: "N=$num_refs")
            .Global("num_refs", "(Test: baseline=(NumRefs: oneRef=1 multiRef=4) mt02=(NumRefs: oneRef=1 multiRef=16))")
            .Global("ref_test", "(Test: baseline=(NumRefs: oneRef=small.txt multiRef=small.txt) mt02=(NumRefs: oneRef=big.txt multiRef=big.txt))"));
        Assert.AreEqual("{Baseline.baseline, NumRefs.multiRef, Test.mt02}", Of(plan, "uses_nested"));
        Assert.AreEqual("4", Var(plan, "uses_nested/NumRefs.multiRef", "N"));
        Assert.AreEqual("../../../big.txt", Var(plan, "uses_nested/Test.mt02", "file"));
    }

    [TestMethod]
    public void ExampleA_GraftsPickOneBranchOfTheSource() // 03-06
    {
        using var p = new HyperPlan();
        p.Files("big.txt", "small.txt");
        var plan = p.Valid(new HyperItems()
            .Step("preproc", inp: "in=(DataSet: train=big.txt test=small.txt)", @out: "out")
            .Step("trainer", inp: "in=$out@preproc[DataSet:train]", @out: "model")
            .Step("tester", inp: "in=$out@preproc[DataSet:test]", @out: "hyps"));
        Assert.AreEqual("{Baseline.baseline, DataSet.test}", Of(plan, "preproc"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "trainer"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "tester"));
        CollectionAssert.AreEqual(new[] { "realizations/preproc/Baseline.baseline/out" }, Get(plan, "trainer/Baseline.baseline").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/preproc/DataSet.test/out" }, Get(plan, "tester/Baseline.baseline").Inputs.ToArray());
    }

    [TestMethod]
    public void ExampleB_ParZeeVee() // mixed-branch dependencies follow from per-input graft scope
    {
        using var p = new HyperPlan();
        p.Files("a.txt", "b.txt");
        var plan = p.Valid(new HyperItems()
            .Step("t1", inp: "in=(B: a=a.txt b=b.txt)", @out: "out1;out2")
            .Step("t2-par", inp: "in1=$out1@t1;in2=$out2@t1")
            .Step("t2-zee", inp: "in1=$out1@t1;in2=$out2@t1[B:b]")
            .Step("t2-vee", inp: "in1=$out1@t1[B:a];in2=$out2@t1[B:b]"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(plan, "t2-par"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/B.b/out1", "realizations/t1/B.b/out2" }, Get(plan, "t2-par/B.b").Inputs.ToArray());
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(plan, "t2-zee"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/Baseline.baseline/out1", "realizations/t1/B.b/out2" }, Get(plan, "t2-zee/Baseline.baseline").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/t1/B.b/out1", "realizations/t1/B.b/out2" }, Get(plan, "t2-zee/B.b").Inputs.ToArray());
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "t2-vee"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/Baseline.baseline/out1", "realizations/t1/B.b/out2" }, Get(plan, "t2-vee/Baseline.baseline").Inputs.ToArray());
    }

    [TestMethod]
    public void ExampleC_SeveralParents_JoinOnSharedCrossOnTheRest()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("a", @out: "out", @params: "x=(X: x1 x2)")
            .Step("b", @out: "out", @params: "y=(Y: y1 y2 y3)")
            .Step("c", inp: "ia=$out@a;ib=$out@b", @params: "z=(X: x1 x2)")
            .Plan("Cross", "c", "(X: *) * (Y: *)"));
        Assert.AreEqual(6, Wanted(plan, "c").Count());
        Assert.AreEqual("x2", Var(plan, "c/X.x2+Y.y3", "z"));
        CollectionAssert.AreEqual(new[] { "realizations/a/X.x2/out", "realizations/b/Y.y3/out" }, Get(plan, "c/X.x2+Y.y3").Inputs.ToArray());
    }

    [TestMethod]
    public void ExampleD_GraftsInsideABranchPoint() // issues 89 (inputs) and 90 (parameters)
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("t1", @out: "out", @params: "p=(BP1: branch1=1 branch2=2)")
            .Step("t2", inp: "in=(BP2: branch3=$out@t1[BP1:branch1] branch4=$out@t1[BP1:branch2])")
            .Step("u1", @params: "p=(BP1: branch1=1 branch2=2)")
            .Step("u2", @params: "p=(BP2: branch3=$p@u1[BP1:branch1] branch4=$p@u1[BP1:branch2])"));
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(plan, "t1"));
        Assert.AreEqual("{Baseline.baseline, BP2.branch4}", Of(plan, "t2"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/Baseline.baseline/out" }, Get(plan, "t2/Baseline.baseline").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/t1/BP1.branch2/out" }, Get(plan, "t2/BP2.branch4").Inputs.ToArray());
        Assert.AreEqual("{Baseline.baseline, BP2.branch4}", Of(plan, "u2"));
        Assert.AreEqual("1", Var(plan, "u2/Baseline.baseline", "p"));
        Assert.AreEqual("2", Var(plan, "u2/BP2.branch4", "p"));
    }

    [TestMethod]
    public void ExampleE_SwappedGrafts_OnInputsAndOnParameters() // issues 88b and 88 (fixed: ducttape planned nothing for parameters)
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("t1", @out: "out", @params: "p=(BP1: branch1=1 branch2=2)")
            .Step("t2", inp: "in=(BP1: branch1=$out@t1[BP1:branch2] branch2=$out@t1[BP1:branch1])")
            .Step("u2", @params: "q=(BP1: branch1=$p@t1[BP1:branch2] branch2=$p@t1[BP1:branch1])")
            .Global("global1", "1")
            .Global("global2", "2")
            .Step("t", @params: "p=(BP1: branch1=$global1[BP1:branch2] branch2=$global2[BP1:branch1])"));
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(plan, "t2"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/BP1.branch2/out" }, Get(plan, "t2/Baseline.baseline").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/t1/Baseline.baseline/out" }, Get(plan, "t2/BP1.branch2").Inputs.ToArray());
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(plan, "u2"));
        Assert.AreEqual("2", Var(plan, "u2/Baseline.baseline", "q"));
        Assert.AreEqual("1", Var(plan, "u2/BP1.branch2", "q"));
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(plan, "t"));
        Assert.AreEqual("1", Var(plan, "t/Baseline.baseline", "p"));
        Assert.AreEqual("2", Var(plan, "t/BP1.branch2", "p"));
    }

    [TestMethod]
    public void Issue87_GraftingABranchPointTheStepIntroduces_YieldsItsRealizations()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Global("global1", "1")
            .Global("global2", "2")
            .Step("t", @params: "p=(BP1: branch1=$global1[BP1:branch1] branch2=$global2[BP1:branch2])"));
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(plan, "t"));
    }

    [TestMethod]
    public void ExampleF_ParameterReferencesCopyBranchPointsWithoutAnEdge() // issue 50
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("preproc", @params: "p1=(DataSet: train=big.txt test=small.txt)")
            .Step("tok", @params: "p2=$p1@preproc")
            .Step("trainer", @params: "p3=$p1@preproc[DataSet:train]"));
        Assert.AreEqual("{Baseline.baseline, DataSet.test}", Of(plan, "tok"));
        Assert.AreEqual("small.txt", Var(plan, "tok/DataSet.test", "p2"));
        Assert.AreEqual(0, Get(plan, "tok/DataSet.test").Inputs.Count, "A parameter reference adds no dependency");
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "trainer"));
        Assert.AreEqual("big.txt", Var(plan, "trainer/Baseline.baseline", "p3"));
    }

    [TestMethod]
    public void ExampleG_TheBaroquePlan()
    {
        using var p = new HyperPlan();
        p.Files("a", "b");
        var plan = p.Valid(new HyperItems()
            .Step("t1", inp: "in=(B: a b)", @out: "out")
            .Step("t2", inp: "in=$out@t1[B:a]", @out: "out", @params: "Q=(X: x y)")
            .Step("t3", inp: "in1=$out@t1;in2=$out@t2", @out: "out")
            .Step("t4", inp: "in1=$out@t3[B:b,X:y];in2=$out@t2[X:x]", @params: "Q=(B: a b)")
            .Plan("Baroque", "t4", "(B: *) * (X: *)"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(plan, "t1"));
        Assert.AreEqual("{Baseline.baseline, X.y}", Of(plan, "t2"));
        Assert.AreEqual("{B.b+X.y}", Of(plan, "t3"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(plan, "t4"));
        foreach (var key in new[] { "t4/Baseline.baseline", "t4/B.b" })
            CollectionAssert.AreEqual(new[] { "realizations/t3/B.b+X.y/out", "realizations/t2/Baseline.baseline/out" }, Get(plan, key).Inputs.ToArray());
        Assert.AreEqual("a", Var(plan, "t4/Baseline.baseline", "Q"));
        Assert.AreEqual("b", Var(plan, "t4/B.b", "Q"));
    }

    [TestMethod]
    public void GraftGlob_TheReduceStep_InBranchOrder() // §2.7, 03-07 with 12 branches (ducttape stalled at 7-8)
    {
        using var p = new HyperPlan();
        var letters = "a b c d e f g h i j k l";
        var plan = p.Valid(new HyperItems()
            .Step("foo", @out: "letter", @params: $"param=(Letter: {letters})")
            .Step("bar", inp: "letters=$letter@foo[Letter:*]"));
        Assert.AreEqual(12, Wanted(plan, "foo").Count(), "The glob's branches are relaxations: every branch of foo is built");
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "bar"));
        var expected = letters.Split(' ').Select((l, i) => "realizations/foo/" + (i == 0 ? "Baseline.baseline" : "Letter." + l) + "/letter").ToArray();
        CollectionAssert.AreEqual(expected, Get(plan, "bar/Baseline.baseline").Inputs.ToArray());
        StringAssert.StartsWith(Var(plan, "bar/Baseline.baseline", "letters"), "../../foo/Baseline.baseline/letter ../../foo/Letter.b/letter ");
    }

    [TestMethod]
    public void GraftGlob_OverOneBranchPoint_KeepsTheOthers()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("train", @out: "model", @params: "lr=(LR: 0.1 0.2 0.3);seed=(Seed: 1..2)")
            .Step("tune", inp: "models=$model@train[LR:*]")
            .Plan("All", "tune", "(Seed: *)"));
        Assert.AreEqual("{Baseline.baseline, Seed.2}", Of(plan, "tune"));
        CollectionAssert.AreEqual(new[] { "realizations/train/Seed.2/model", "realizations/train/LR.0.2+Seed.2/model", "realizations/train/LR.0.3+Seed.2/model" },
            Get(plan, "tune/Seed.2").Inputs.ToArray());
        Assert.AreEqual(6, Wanted(plan, "train").Count());
    }

    [TestMethod]
    public void Issue145_AGlobThroughAGlobalIsCollapsed()
    {
        using var p = new HyperPlan();
        p.Files("x.txt", "y.txt");
        var plan = p.Valid(new HyperItems()
            .Step("feeder", inp: "in=(TestSet: x=x.txt y=y.txt)", @out: "out")
            .Step("works1", inp: "in=$out@feeder[TestSet:*]")
            .Global("file", "(TestSet: x=x.txt y=y.txt)")
            .Step("works2", inp: "in=$file[TestSet:*]")
            .Global("var", "$out@feeder")
            .Step("broken", inp: "in=$var[TestSet:*]"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "works1"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "works2"));
        CollectionAssert.AreEqual(new[] { "x.txt", "y.txt" }, Get(plan, "works2/Baseline.baseline").Inputs.ToArray());
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "broken"));
        CollectionAssert.AreEqual(new[] { "realizations/feeder/Baseline.baseline/out", "realizations/feeder/TestSet.y/out" },
            Get(plan, "broken/Baseline.baseline").Inputs.ToArray());
    }

    [TestMethod]
    public void ExampleK_SometimesSkip_CleanupOnlyForCAndD()
    {
        using var p = new HyperPlan();
        p.Files("a", "b", "c", "d");
        var plan = p.Valid(new HyperItems()
            .Step("cleanup", inp: "in=(Data: a=a b=b c=c d=d)", @out: "out")
            .Global("clean", "(Data: a=a b=b c=$out@cleanup d=$out@cleanup)")
            .Step("task1", inp: "in=$clean", @out: "out")
            .Step("task2", inp: "in=$clean", @out: "out")
            .Step("task3", inp: "in=$clean", @out: "out")
            .Plan("FinalTasks", "task1;task2;task3", "(Data: *)"));
        Assert.AreEqual("{Data.c, Data.d}", Of(plan, "cleanup"));
        Assert.AreEqual("{Baseline.baseline, Data.b, Data.c, Data.d}", Of(plan, "task1"));
        CollectionAssert.AreEqual(new[] { "a" }, Get(plan, "task1/Baseline.baseline").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "b" }, Get(plan, "task2/Data.b").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/cleanup/Data.c/out" }, Get(plan, "task3/Data.c").Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "realizations/cleanup/Data.d/out" }, Get(plan, "task1/Data.d").Inputs.ToArray());
    }

    [TestMethod]
    public void ComplementaryBranchPoints()
    {
        using var p = new HyperPlan();
        p.Files("train.txt", "dev.txt", "test.txt");
        var plan = p.Valid(new HyperItems()
            .Step("preproc", inp: "in=(Data: train=train.txt dev=dev.txt test=test.txt)", @out: "out")
            .Step("learn", inp: "in=$out@preproc[Data:train]", @out: "model")
            .Step("eval", inp: "in=(EvalData: dev=$out@preproc[Data:dev] test=$out@preproc[Data:test]);model=@learn", @out: "preds"));
        Assert.AreEqual("{Baseline.baseline, Data.dev, Data.test}", Of(plan, "preproc"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "learn"));
        Assert.AreEqual("{Baseline.baseline, EvalData.test}", Of(plan, "eval"));
        CollectionAssert.AreEqual(new[] { "realizations/preproc/Data.test/out", "realizations/learn/Baseline.baseline/model" },
            Get(plan, "eval/EvalData.test").Inputs.ToArray());
    }

    [TestMethod]
    public void Plan0304_ThreeClauses_26InTheUnion()
    {
        using var p = new HyperPlan();
        p.Files("small.txt", "big.txt");
        var plan = p.Valid(new HyperItems()
            .Step("planned_1", inp: "in=(WhichSize: smaller=small.txt bigger=big.txt)", @out: "out")
            .Step("planned_2", inp: "in=$out@planned_1", @params: "N=(N: one=1 two=2);M=(M: 1..10)")
            .Plan("Basics", "planned_2", "(WhichSize: smaller) * (N: one two) * (M: 1..10)")
            .Plan("Basics", "planned_1;planned_2", "(WhichSize: bigger) * (N: one) * (M: 2 8)")
            .Plan("Basics", "planned_2", "(WhichSize: bigger) * (N: *) * (M: 1)"));
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(plan, "planned_1"));
        var names = Wanted(plan, "planned_2").Select(s => s.Realization!).ToList();
        Assert.AreEqual(24, names.Count, string.Join(", ", names));
        var expected = new List<string> { "Baseline.baseline", "N.two", "WhichSize.bigger", "M.2+WhichSize.bigger", "M.8+WhichSize.bigger", "N.two+WhichSize.bigger" };
        for (var k = 2; k <= 10; k++) { expected.Add("M." + k); expected.Add($"M.{k}+N.two"); }
        CollectionAssert.AreEquivalent(expected, names);
        Assert.AreEqual(26, plan.Steps.Count(s => !s.LeftOut));
    }

    [TestMethod]
    public void Issue162_GraftRelaxationsAddNoWorkOutsideTheGoals()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("a1", @out: "out", @params: "param=(A: 0 1 2)")
            .Step("a2", inp: "out=@a1[A:1]")
            .Step("b1", @out: "out", @params: "param=(B: 0 1)")
            .Step("b2", inp: "out=@b1[B:*]")
            .Plan("P", "a1", "(A: 0)")
            .Plan("P", "b1", "(B: 0)"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "a1"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "b1"));
        Assert.AreEqual("{}", Of(plan, "a2"));
        Assert.AreEqual("{}", Of(plan, "b2"));
    }

    [TestMethod]
    public void Issue63_GraftedBranchesDoNotCountForTheOneOffRule()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("a", @out: "n", @params: "p=(N: 1 2)")
            .Step("b", inp: "in=$n@a", @out: "m", @params: "q=(M: 1 2)")
            .Step("c", inp: "w=$n@a[N:1];x=$n@a[N:2];y=$m@b[M:1,N:1];z=$m@b[M:2,N:2]"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "c"));
        // b's M.2+N.2 has two non-baseline branches, but c grafts both: relaxations do not count.
        CollectionAssert.Contains(Wanted(plan, "b").Select(s => s.Realization).ToList(), "M.2+N.2");
        CollectionAssert.AreEqual(new[] { "realizations/a/Baseline.baseline/n", "realizations/a/N.2/n", "realizations/b/Baseline.baseline/m", "realizations/b/M.2+N.2/m" },
            Get(plan, "c/Baseline.baseline").Inputs.ToArray());
    }

    [TestMethod]
    public void Issue104_TwoGraftedInputsFromOneStep()
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("t1", @out: "out", @params: "p=(P: one=1 two=2)")
            .Step("t2", inp: "in1=$out@t1[P:one];in2=$out@t1[P:two]"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "t2"));
        CollectionAssert.AreEqual(new[] { "realizations/t1/Baseline.baseline/out", "realizations/t1/P.two/out" }, Get(plan, "t2/Baseline.baseline").Inputs.ToArray());
    }

    [TestMethod]
    public void ShouldSucceed_BasicsShorthandsAndAnonymousBranches() // 1, 5, 30, 49, 56, 140, 01-11
    {
        using var p = new HyperPlan();
        p.Files("cpuinfo");
        var plan = p.Valid(new HyperItems()
            .Step("foo", @out: "out=a.txt")
            .Step("bar", inp: "in=$out@foo")
            .Global("cpu", "cpuinfo")
            .Step("five", inp: "in=$cpu")
            .Global("var", "(X: x1=1 x2=2)")
            .Step("hello", @params: "x=$var[X:x1]")
            .Step("anon", @params: "a=(A: a1 a2 a3)")
            .Step("sizes", @params: "n=(TrainSize: 10k=10000 1M=1000000)")
            .Global("oops_param", "42")
            .Step("t", @out: "file;oops_param=@")
            .Global("foo", "'hello, world'")
            .Step("hi", @params: "foo=@")
            .Step("prev", @params: "a=42")
            .Step("next", @params: "a=@prev"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "bar"));
        CollectionAssert.AreEqual(new[] { "a.txt" }, Get(plan, "bar/Baseline.baseline").Inputs.ToArray(), "a step without realizations keeps its outputs at the root");
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "five"));
        Assert.AreEqual("1", Var(plan, "hello/Baseline.baseline", "x"));
        Assert.AreEqual("{Baseline.baseline, A.a2, A.a3}", Of(plan, "anon"));
        Assert.AreEqual("{Baseline.baseline, TrainSize.1M}", Of(plan, "sizes"));
        Assert.AreEqual("1000000", Var(plan, "sizes/TrainSize.1M", "n"));
        CollectionAssert.AreEqual(new[] { "realizations/t/Baseline.baseline/file", "realizations/t/Baseline.baseline/42" }, Get(plan, "t/Baseline.baseline").Outputs.ToArray());
        Assert.AreEqual("hello, world", Var(plan, "hi/Baseline.baseline", "foo"));
        Assert.AreEqual("42", Var(plan, "next/Baseline.baseline", "a"));
        Assert.AreEqual("foo", Get(plan, "foo").Key, "named outputs alone do not give a step realizations");
    }

    [TestMethod]
    public void ShouldSucceed_PlansWithoutViaAndThePseudoBaseline() // 59, 70
    {
        using var p = new HyperPlan();
        var plan = p.Valid(new HyperItems()
            .Step("hello", command: "echo hello")
            .Step("world", @params: "planet=(Planet: Mercury Venus Earth Mars)")
            .Plan("P", "hello;world")
            .Plan("Q", "hello", "(Baseline: baseline)"));
        Assert.AreEqual("{Baseline.baseline}", Of(plan, "world"));
        Assert.AreEqual(1, plan.Steps.Count(s => s.Key == "hello"), "A step without branch points always runs");
    }
}
