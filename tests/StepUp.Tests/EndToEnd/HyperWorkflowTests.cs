using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// ducttape's verified HyperWorkflow examples (research/ducttape.md §2-3, §5.2) as real `dotnet
/// build`s of .stepproj projects: the realizations StepUpList plans, the files each realization
/// reads (each command writes what it read), what runs, and that a second build skips everything.
/// </summary>
[TestClass]
public sealed class HyperWorkflowTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>The planned realizations StepUpList printed: "step realization" → "up to date" or "will run".</summary>
    public static Dictionary<string, string> Listed(BuildResult r) => Regex
        .Matches(r.Output, @"(?m)(?<![A-Za-z])LIST \u2502 (.*?) \((up to date|will run)\)[ \t]*\r?$")
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    /// <summary>The realizations of one step in the listing, in order.</summary>
    public static string Of(Dictionary<string, string> listed, string step) =>
        "{" + string.Join(", ", listed.Keys.Where(k => k.StartsWith(step + " ", StringComparison.Ordinal)).Select(k => k[(step.Length + 1)..])) + "}";

    static string Read(TestProject p, string step, string realization, string file) =>
        p.ReadFile($"realizations/{step}/{realization}/{file}").Replace("\n", " ").Trim();

    [TestMethod]
    public void OneOffExamples_PlannedBuiltAndSkipped()
    {
        using var p = new TestProject(_home);
        foreach (var name in new[] { "small", "big", "train", "test", "a", "b", "x", "y" }) p.WriteFile(name + ".txt", name + "\n");
        p.WriteSteps(
            // 03-01 and 03-02: inheritance and the one-off rule.
            """<Step Include="one_off_1" Inp="in=(WhichSize: smaller=small.txt bigger=big.txt)" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="one_off_2" Inp="in=$out@one_off_1" Params="N=(N: one=1 two=2)" Out="out" Command="echo $(cat ${in}) ${N} &gt; ${out}" />""".Replace("$(", "%24("),
            // 03-03: a sequence; the value is the number.
            """<Step Include="run_several_times" Params="trial=(WhichTrial: 1..10)" Out="x" Command="echo trial $trial &gt; ${x}" />""",
            // 03-06 (example A): grafts.
            """<Step Include="preproc" Inp="in=(DataSet: train=train.txt test=test.txt)" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="trainer" Inp="in=$out@preproc[DataSet:train]" Out="model" Command="cat ${in} &gt; ${model}" />""",
            """<Step Include="tester" Inp="in=$out@preproc[DataSet:test]" Out="hyps" Command="cat ${in} &gt; ${hyps}" />""",
            // Example B: par, zee, vee.
            """<Step Include="t1" Inp="in=(B: a=a.txt b=b.txt)" Out="out1;out2" Command="cat ${in} &gt; ${out1}; cat ${in} &gt; ${out2}" />""",
            """<Step Include="t2-par" Inp="in1=$out1@t1;in2=$out2@t1" Out="seen" Command="cat ${in1} ${in2} &gt; ${seen}" />""",
            """<Step Include="t2-zee" Inp="in1=$out1@t1;in2=$out2@t1[B:b]" Out="seen" Command="cat ${in1} ${in2} &gt; ${seen}" />""",
            """<Step Include="t2-vee" Inp="in1=$out1@t1[B:a];in2=$out2@t1[B:b]" Out="seen" Command="cat ${in1} ${in2} &gt; ${seen}" />""",
            // Issue 88b (example E): the swap.
            """<Step Include="s1" Params="p=(BP1: branch1=1 branch2=2)" Out="out" Command="echo ${p} &gt; ${out}" />""",
            """<Step Include="s2" Inp="in=(BP1: branch1=$out@s1[BP1:branch2] branch2=$out@s1[BP1:branch1])" Out="seen" Command="cat ${in} &gt; ${seen}" />""",
            // Issue 50 (example F): a parameter copied without an edge.
            """<Step Include="tok" Params="p2=$p1@pre" Out="seen" Command="echo ${p2} &gt; ${seen}" />""",
            """<Step Include="pre" Params="p1=(Data: train=big test=small)" Command="true" />""",
            // 03-07 (§2.7): the reduce over all realizations, in branch order.
            """<Step Include="foo" Params="param=(Letter: a b c d)" Out="letter" Command="echo ${param} &gt; ${letter}" />""",
            """<Step Include="bar" Inp="letters=$letter@foo[Letter:*]" Out="all" Command="cat ${letters} &gt; ${all}" />""",
            // Issue 145: a glob through a global is collapsed.
            """<Global Include="var" Value="$out@feeder" />""",
            """<Step Include="feeder" Inp="in=(TestSet: x=x.txt y=y.txt)" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="broken" Inp="in=$var[TestSet:*]" Out="seen" Command="cat ${in} &gt; ${seen}" />""",
            // 01-11 and shouldSucceed/30, 49, 56, 87, 140: shorthands, grafts on globals, anonymous branches.
            """<Global Include="foo_g" Value="'hello, world'" />""",
            """<Step Include="hello" Params="foo_g=@" Out="said" Command="echo ${foo_g} &gt; ${said}" />""",
            """<Step Include="prev" Params="a=42" Command="true" />""",
            """<Step Include="next" Params="a=@prev" Out="said" Command="echo $a &gt; ${said}" />""",
            """<Global Include="g30" Value="(X: x1=1 x2=2)" />""",
            """<Step Include="issue30" Params="x=$g30[X:x1]" Command="test ${x} = 1" />""",
            """<Step Include="issue56" Params="n=(TrainSize: 10k=10000 1M=1000000)" Command="true" />""",
            """<Global Include="global1" Value="1" /><Global Include="global2" Value="2" />""",
            """<Step Include="issue87" Params="p=(BP87: b1=$global1[BP87:b1] b2=$global2[BP87:b2])" Out="out" Command="echo ${p} &gt; ${out}" />""",
            """<Global Include="oops_param" Value="42" />""",
            """<Step Include="issue140" Out="oops_param=@" Command="echo ok &gt; ${oops_param}" />""");

        var list = p.Build("-t:StepUpList").AssertSuccess("StepUpList plans without running");
        list.Check(!list.AnyStepStarted, "StepUpList runs nothing");
        var planned = Listed(list);
        list.Check(planned.Values.All(v => v == "will run"), "Nothing is built yet: every realization will run");
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(planned, "one_off_1"));
        Assert.AreEqual("{Baseline.baseline, N.two, WhichSize.bigger}", Of(planned, "one_off_2"), "03-02: three realizations, not the two its comment says");
        Assert.AreEqual(10, planned.Keys.Count(k => k.StartsWith("run_several_times ", StringComparison.Ordinal)));
        Assert.AreEqual("{Baseline.baseline, DataSet.test}", Of(planned, "preproc"));
        Assert.AreEqual("{Baseline.baseline}", Of(planned, "trainer"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(planned, "t2-par"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(planned, "t2-zee"));
        Assert.AreEqual("{Baseline.baseline}", Of(planned, "t2-vee"));
        Assert.AreEqual("{Baseline.baseline, BP1.branch2}", Of(planned, "s2"));
        Assert.AreEqual("{Baseline.baseline, Data.test}", Of(planned, "tok"));
        Assert.AreEqual("{Baseline.baseline, Letter.b, Letter.c, Letter.d}", Of(planned, "foo"));
        Assert.AreEqual("{Baseline.baseline}", Of(planned, "bar"));
        Assert.AreEqual("{Baseline.baseline}", Of(planned, "broken"));
        Assert.AreEqual("{Baseline.baseline, TrainSize.1M}", Of(planned, "issue56"));
        Assert.AreEqual("{Baseline.baseline, BP87.b2}", Of(planned, "issue87"));
        Assert.AreEqual("{Baseline.baseline}", Of(planned, "issue140"));

        var detailed = p.Build("-t:StepUpList", "-v:d").AssertSuccess();
        detailed.Check(detailed.HasEvent("OMITTED", "one_off_2 N.two+WhichSize.bigger: left out by the one-off rule: 2 non-baseline branches (N.two, WhichSize.bigger); add a <Plan> to build it"),
            "-v:d explains what the one-off rule left out");
        detailed.Check(detailed.HasEvent("OMITTED", "trainer: input $out@preproc[DataSet:train] leaves out preproc DataSet.test"), "-v:d explains what a graft left out");
        list.Check(!list.Output.Contains("OMITTED", StringComparison.Ordinal), "At normal verbosity the left-out realizations are not shown");

        var build = p.Build().AssertSuccess();
        build.Check(build.Ran("one_off_2/N.two") && build.Ran("t2-zee/Baseline.baseline") && build.Ran("issue140/Baseline.baseline"), "Each realization runs as a step labelled step/realization");
        Assert.AreEqual(planned.Count, build.StartedSteps.Count, "Exactly the planned realizations run: " + string.Join(", ", build.StartedSteps));
        Assert.AreEqual("small 2", Read(p, "one_off_2", "N.two", "out"));
        Assert.AreEqual("big 1", Read(p, "one_off_2", "WhichSize.bigger", "out"));
        Assert.AreEqual("trial 7", Read(p, "run_several_times", "WhichTrial.7", "x"));
        Assert.AreEqual("train", Read(p, "trainer", "Baseline.baseline", "model"));
        Assert.AreEqual("test", Read(p, "tester", "Baseline.baseline", "hyps"));
        Assert.AreEqual("b b", Read(p, "t2-par", "B.b", "seen"));
        Assert.AreEqual("a b", Read(p, "t2-zee", "Baseline.baseline", "seen"), "zee: a mixed-branch dependency");
        Assert.AreEqual("b b", Read(p, "t2-zee", "B.b", "seen"));
        Assert.AreEqual("a b", Read(p, "t2-vee", "Baseline.baseline", "seen"));
        Assert.AreEqual("2", Read(p, "s2", "Baseline.baseline", "seen"), "88b: the baseline reads s1's branch2");
        Assert.AreEqual("1", Read(p, "s2", "BP1.branch2", "seen"));
        Assert.AreEqual("small", Read(p, "tok", "Data.test", "seen"));
        Assert.AreEqual("a b c d", Read(p, "bar", "Baseline.baseline", "all"), "the glob's files in branch order");
        Assert.AreEqual("x y", Read(p, "broken", "Baseline.baseline", "seen"), "#145: collapsed into one realization");
        Assert.AreEqual("hello, world", Read(p, "hello", "Baseline.baseline", "said"));
        Assert.AreEqual("42", Read(p, "next", "Baseline.baseline", "said"));
        Assert.AreEqual("2", Read(p, "issue87", "BP87.b2", "out"));
        Assert.IsTrue(p.FileExists("realizations/issue140/Baseline.baseline/42"));

        var again = p.Build().AssertSuccess();
        again.Check(!again.AnyStepStarted, "A second build runs nothing");
        var listed = Listed(p.Build("-t:StepUpList").AssertSuccess());
        Assert.IsTrue(listed.Count == planned.Count && listed.Values.All(v => v == "up to date"), "After the build StepUpList says every realization is up to date");

        var graph = p.Build("-t:StepUpGraph").AssertSuccess();
        var text = p.ReadFile("graph.txt");
        StringAssert.Contains(text, "step:t2-zee/Baseline.baseline");
        StringAssert.Contains(text, "file:realizations/t1/B.b/out2");
        StringAssert.Contains(p.ReadFile("graph_dependency.dot"), "t2-zee/B.b");
    }

    [TestMethod]
    public void PlannedExamples_0304_Baroque_SometimesSkip()
    {
        using var p = new TestProject(_home);
        foreach (var name in new[] { "small", "big", "a", "b", "c", "d" }) p.WriteFile(name + ".txt", name + "\n");
        p.WriteSteps(
            // 03-04: three clauses, 26 realizations in the union.
            """<Step Include="planned_1" Inp="in=(WhichSize: smaller=small.txt bigger=big.txt)" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="planned_2" Inp="in=$out@planned_1" Params="N=(N: one=1 two=2);M=(M: 1..10)" Command="head -n ${N} ${in} &gt; /dev/null" />""",
            """<Plan Include="Basics" Reach="planned_2" Via="(WhichSize: smaller) * (N: one two) * (M: 1..10)" />""",
            """<Plan Include="Basics" Reach="planned_1;planned_2" Via="(WhichSize: bigger) * (N: one) * (M: 2 8)" />""",
            """<Plan Include="Basics" Reach="planned_2" Via="(WhichSize: bigger) * (N: *) * (M: 1)" />""",
            // Example G: the baroque plan.
            """<Step Include="g1" Inp="in=(B: a=a.txt b=b.txt)" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="g2" Inp="in=$out@g1[B:a]" Params="Q=(X: x y)" Out="out" Command="echo $(cat ${in}) ${Q} &gt; ${out}" />""".Replace("$(", "%24("),
            """<Step Include="g3" Inp="in1=$out@g1;in2=$out@g2" Out="out" Command="cat ${in1} ${in2} &gt; ${out}" />""",
            """<Step Include="g4" Inp="in1=$out@g3[B:b,X:y];in2=$out@g2[X:x]" Params="Q=(B: a b)" Out="out" Command="echo ${Q} $(cat ${in1} ${in2}) &gt; ${out}" />""".Replace("$(", "%24("),
            """<Plan Include="Baroque" Reach="g4" Via="(B: *) * (X: *)" />""",
            // Example K: sometimes-skip.
            """<Step Include="cleanup" Inp="in=(Data: a=a.txt b=b.txt c=c.txt d=d.txt)" Out="out" Command="echo clean $(cat ${in}) &gt; ${out}" />""".Replace("$(", "%24("),
            """<Global Include="clean" Value="(Data: a=a.txt b=b.txt c=$out@cleanup d=$out@cleanup)" />""",
            """<Step Include="task1" Inp="in=$clean" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Step Include="task2" Inp="in=$clean" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Plan Include="FinalTasks" Reach="task1;task2" Via="(Data: *)" />""");

        var planned = Listed(p.Build("-t:StepUpList").AssertSuccess());
        Assert.AreEqual("{Baseline.baseline, WhichSize.bigger}", Of(planned, "planned_1"));
        Assert.AreEqual(24, planned.Keys.Count(k => k.StartsWith("planned_2 ", StringComparison.Ordinal)));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(planned, "g1"));
        Assert.AreEqual("{Baseline.baseline, X.y}", Of(planned, "g2"));
        Assert.AreEqual("{B.b+X.y}", Of(planned, "g3"));
        Assert.AreEqual("{Baseline.baseline, B.b}", Of(planned, "g4"));
        Assert.AreEqual("{Data.c, Data.d}", Of(planned, "cleanup"), "K: cleanup only for the inputs that need it");
        Assert.AreEqual("{Baseline.baseline, Data.b, Data.c, Data.d}", Of(planned, "task1"));

        var build = p.Build().AssertSuccess();
        Assert.AreEqual(26 + 2 + 2 + 1 + 2 + 2 + 4 + 4, build.StartedSteps.Count, string.Join(", ", build.StartedSteps));
        build.Check(build.Ran("cleanup/Data.c") && build.Ran("cleanup/Data.d") && !build.Ran("cleanup/Baseline.baseline") && !build.Ran("cleanup/Data.b"),
            "K: cleanup runs only for Data.c and Data.d");
        Assert.AreEqual("a", Read(p, "task1", "Baseline.baseline", "out"));
        Assert.AreEqual("clean c", Read(p, "task2", "Data.c", "out"));
        Assert.AreEqual("b a y", Read(p, "g3", "B.b+X.y", "out"));
        Assert.AreEqual("a b a y a x", Read(p, "g4", "Baseline.baseline", "out"), "G: both g4 realizations read g3/B.b+X.y and g2/BL");
        Assert.AreEqual("b b a y a x", Read(p, "g4", "B.b", "out"));

        var plan = p.Build("-t:StepUpList", "-p:StepUpPlan=Baroque").AssertSuccess();
        var baroque = Listed(plan);
        Assert.AreEqual(7, baroque.Count, string.Join(", ", baroque.Keys));
        plan.Check(baroque.Values.All(v => v == "up to date"), "Realizations built under the union are up to date");
        plan.Check(plan.Summary == null && plan.Output.Contains("left out with their results", StringComparison.Ordinal), "The other plans' realizations stay, with their results");
    }

    [TestMethod]
    public void Issue162_AndSeveralParents_WithPlans()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="a1" Params="param=(A: 0 1 2)" Out="out" Command="echo ${param} &gt; ${out}" />""",
            """<Step Include="a2" Inp="out=@a1[A:1]" Command="cat ${out}" />""",
            """<Step Include="b1" Params="param=(B: 0 1)" Out="out" Command="echo ${param} &gt; ${out}" />""",
            """<Step Include="b2" Inp="out=@b1[B:*]" Command="cat ${out}" />""",
            """<Plan Include="P" Reach="a1" Via="(A: 0)" />""",
            """<Plan Include="P" Reach="b1" Via="(B: 0)" />""",
            // Example C: two parents, a local branch point unified with an inherited one.
            """<Step Include="ca" Params="x=(X: x1 x2)" Out="out" Command="echo ${x} &gt; ${out}" />""",
            """<Step Include="cb" Params="y=(Y: y1 y2 y3)" Out="out" Command="echo ${y} &gt; ${out}" />""",
            """<Step Include="cc" Inp="ia=$out@ca;ib=$out@cb" Params="z=(X: x1 x2)" Out="out" Command="echo ${z} $(cat ${ia} ${ib}) &gt; ${out}" />""".Replace("$(", "%24("),
            """<Plan Include="Cross" Reach="cc" Via="(X: *) * (Y: *)" />""");
        var build = p.Build().AssertSuccess();
        build.Check(build.Ran("a1/Baseline.baseline") && build.Ran("b1/Baseline.baseline"), "162: the goals run");
        build.Check(!build.StartedSteps.Any(s => s.StartsWith("a1/A.", StringComparison.Ordinal) || s.StartsWith("b1/B.", StringComparison.Ordinal)
            || s.StartsWith("a2/", StringComparison.Ordinal) || s.StartsWith("b2/", StringComparison.Ordinal)), "162: relaxations add no work outside the goals");
        Assert.AreEqual(6, build.StartedSteps.Count(s => s.StartsWith("cc/", StringComparison.Ordinal)));
        Assert.AreEqual("x2 x2 y3", Read(p, "cc", "X.x2+Y.y3", "out"));
    }

    /// <summary>ducttape's output folder is a choice (footnote 1 of seed 003): StepUpRealizationsDir moves every realization, and the old folders go as orphans.</summary>
    [TestMethod]
    public void RealizationsDir_MovesEveryRealizationFolder_AndTheOldOnesAreRemoved()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="make" Params="n=(N: 1..2)" Out="out" Command="echo ${n} &gt; ${out}" />""");

        p.Build().AssertSuccess();
        Assert.AreEqual("2", Read(p, "make", "N.2", "out"));

        var moved = p.Build("-p:StepUpRealizationsDir=runs/today").AssertSuccess();
        Assert.AreEqual("1", p.ReadFile("runs/today/make/Baseline.baseline/out").Trim());
        Assert.AreEqual("2", p.ReadFile("runs/today/make/N.2/out").Trim());
        moved.Check(!p.FileExists("realizations/make/N.2/out") && !p.FileExists("realizations/make/Baseline.baseline/out"),
            "the outputs under the old folder are orphans, removed after the build");
    }

    /// <summary>
    /// A reduce over thousands of realizations names more paths than one environment variable may
    /// hold (128 KiB on Linux); exported, it made every program of the step fail with "Argument list
    /// too long". A long literal stands in for such a glob here.
    /// </summary>
    [TestMethod]
    public void NamedEntryLongerThanAnEnvironmentVariable_IsNotExported_AndTheStepRuns()
    {
        using var p = new TestProject(_home);
        var value = new string('x', 140_000);
        p.WriteSteps($$"""<Step Include="count" Params="all={{value}}" Out="out" Command="printf %s ${all} | wc -c &gt; ${out}; env | grep -c '^all=' &gt;&gt; ${out} || true" />""");

        var r = p.Build().AssertSuccess();
        var lines = p.ReadFile("realizations/count/Baseline.baseline/out").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual("140000", lines[0].Trim(), "the ${all} placeholder still carries the whole value");
        Assert.AreEqual("0", lines[1].Trim(), "$all is not set in the step's environment");
        r.Check(Regex.IsMatch(r.Output, @"\.stepproj\(\d+,\d+\): warning STEPUP0021: Step 'count' has a named entry 'all'"),
            "the warning names the step and the entry, at the item's line");
    }

    [TestMethod]
    public void ExternalConfig_AndNestedBranchPoints()
    {
        using var p = new TestProject(_home);
        foreach (var name in new[] { "d1", "d2", "t1", "t2", "t3" }) p.WriteFile("folds/" + name, name + "\n");
        p.WriteSteps(
            """<Step Include="predict" Inp="in=$folds" Out="out" Command="cat ${in} &gt; ${out}; echo $who &gt;&gt; ${out}" Params="who=$someone" />""",
            """<Step Include="tune" Inp="in=$out@predict[DevOrTest:dev]" Out="out" Command="cat ${in} &gt; ${out}" />""",
            """<Plan Include="Dev" Reach="tune" Via="(DevFold: *)" />""",
            """<Plan Include="Test" Reach="predict" Via="(DevOrTest: test) * (TestFold: *)" />""");
        p.WriteFile("exp.props", """
            <Project>
              <ItemGroup>
                <Global Include="someone" Value="world" />
                <Global Include="folds" Value="(DevOrTest: dev=(DevFold: d1=folds/d1 d2=folds/d2) test=(TestFold: t1=folds/t1 t2=folds/t2 t3=folds/t3))" />
              </ItemGroup>
            </Project>
            """);

        var missing = p.Build().AssertFailure("01-08 without its config: the global is not defined");
        p.AssertErrorAt(missing, "STEPUP0407", p.LineOf("Include=\"predict\""));

        var listed = Listed(p.Build("-t:StepUpList", "-p:StepUpConfig=exp.props").AssertSuccess());
        CollectionAssert.AreEquivalent(new[] { "Baseline.baseline", "DevFold.d2", "DevOrTest.test", "DevOrTest.test+TestFold.t2", "DevOrTest.test+TestFold.t3" },
            Of(listed, "predict").Trim('{', '}').Split(", "), "the union of the plans: Dev through tune's closure, Test directly");
        Assert.AreEqual("{Baseline.baseline, DevFold.d2}", Of(listed, "tune"));

        p.Build("-p:StepUpConfig=exp.props").AssertSuccess();
        Assert.AreEqual("t3 world", Read(p, "predict", "DevOrTest.test+TestFold.t3", "out"));
        Assert.AreEqual("d2 world", Read(p, "tune", "DevFold.d2", "out"));

        p.WriteFile("twice.props", """
            <Project>
              <ItemGroup>
                <Global Include="someone" Value="again" />
              </ItemGroup>
            </Project>
            """);
        p.WriteProject(File.ReadAllText(p.ProjectPath).Replace("<Project Sdk=\"" + p.SdkReference + "\">\n", "").Replace("</Project>\n", "")
            .Replace("  <ItemGroup>\n", "  <ItemGroup>\n    <Global Include=\"someone\" Value=\"here\" />\n    <Global Include=\"folds\" Value=\"folds/d1\" />\n"));
        var twice = p.Build("-p:StepUpConfig=twice.props").AssertFailure("A global defined in the project and in the config");
        var error = twice.ErrorLine("STEPUP0404")!;
        twice.Check(error.Contains("twice.props(3)", StringComparison.Ordinal) && error.Contains("main.stepproj(" + p.LineOf("Value=\"here\"") + ")", StringComparison.Ordinal),
            "The error names both places");
        twice.Check(!twice.AnyStepStarted, "An invalid plan runs nothing");

        var typo = p.Build("-p:StepUpConfig=nope.props").AssertFailure();
        typo.Check(typo.HasError("STEPUP0425"), "A config file that does not exist is an error");
    }

    [TestMethod]
    public void Errors_PointAtTheItemLineAndTheColumnInTheValue()
    {
        using var p = new TestProject(_home);
        p.WriteFile("user.txt", "mine\n");
        p.WriteSteps(
            """<Step Include="ok" Params="x=(B: a b)" Command="echo ${x} &gt; out" />""",
            """<Step Include="hello" Params="n=a+b" Command="echo ${n}" />""");
        var parse = p.Build().AssertFailure();
        var line = p.LineOf("Include=\"hello\"");
        var column = File.ReadAllLines(p.ProjectPath)[line - 1].IndexOf("a+b", StringComparison.Ordinal) + 2;
        parse.Check(parse.ErrorLines("STEPUP0401").Any(l => l.Contains($"main.stepproj({line},{column})", StringComparison.Ordinal)),
            $"The parse error points at line {line}, column {column} (the '+')");
        parse.Check(!parse.AnyStepStarted, "An invalid plan runs nothing");

        p.WriteSteps(
            """<Step Include="t1" Params="p=(B: a b)" Out="out" Command="echo ${p} &gt; ${out}" />""",
            """<Step Include="t2" Inp="in=$out@t1[B:c]" Command="cat ${in}" />""",
            """<Plan Include="P" Reach="t1" Via="(B: a z)" />""");
        var unknown = p.Build().AssertFailure();
        p.AssertErrorAt(unknown, "STEPUP0409", p.LineOf("Include=\"t2\""));
        p.AssertErrorAt(unknown, "STEPUP0422", p.LineOf("Include=\"P\""));
        unknown.Check(unknown.ErrorLine("STEPUP0422")!.Contains("branch 'z' of B", StringComparison.Ordinal), "#144: the mistyped branch is named");

        p.WriteSteps(
            """<Step Include="fails" Params="p=(B: ok bad)" Command="test ${p} = ok" />""");
        var failed = p.Build().AssertFailure();
        failed.Check(failed.Failed("fails/B.bad"), "The failing realization is labelled step/realization");
        p.AssertErrorAt(failed, "STEPUP0101", p.LineOf("Include=\"fails\""));
        failed.Check(failed.ErrorLine("STEPUP0101")!.Contains("'fails/B.bad'", StringComparison.Ordinal), "The error names the realization");
        Assert.AreEqual("mine\n", p.ReadFile("user.txt"));
    }
}
