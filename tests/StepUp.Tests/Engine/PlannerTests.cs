using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>The planner: every validation error with its code and item location; placeholders; the script protocol.</summary>
[TestClass]
public sealed class PlannerTests
{
    static Plan PlanIn(string root, params ItemSpec[] items) =>
        new Planner(root, EngineProject.CurrentEnvironment()).Plan(items);

    static Diagnostic SingleError(Plan plan, string code)
    {
        var text = string.Join("\n", plan.Diagnostics.Select(d => $"{d.Code} {d.Location}: {d.Message}"));
        Assert.IsFalse(plan.IsValid, $"The plan should be invalid.\n{text}");
        var found = plan.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.AreEqual(1, found.Count, $"Expected exactly one {code}.\n{text}");
        Assert.AreEqual(Severity.Error, found[0].Severity);
        return found[0];
    }

    [TestMethod]
    public void DuplicateName_IsReportedAtTheSecondItem()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("twice", "echo a", line: 3),
            Item.Step("twice", "echo b", line: 4));
        var d = SingleError(plan, Codes.DuplicateStep);
        Assert.AreEqual(Item.At(4), d.Location);
        StringAssert.Contains(d.Message, "twice");
        Assert.AreEqual(1, plan.Diagnostics.Count);
    }

    [TestMethod]
    public void TwoStepsClaimingOneOutput_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("first", "echo a > x.txt", line: 3, @out: "x.txt"),
            Item.Step("second", "echo b > x.txt", line: 4, @out: "x.txt"));
        var d = SingleError(plan, Codes.OutputClaimedTwice);
        Assert.AreEqual(Item.At(4), d.Location);
        StringAssert.Contains(d.Message, "x.txt");
        StringAssert.Contains(d.Message, "first");
        StringAssert.Contains(d.Message, "second");
    }

    [TestMethod]
    public void AVolatileOutputClaimedByAnotherStep_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("first", "echo a > x.txt", line: 3, @out: "x.txt"),
            Item.Step("second", "echo b > x.txt", line: 4, vol: "x.txt"));
        Assert.AreEqual(Item.At(4), SingleError(plan, Codes.OutputClaimedTwice).Location);
    }

    [TestMethod]
    public void OutputThatIsStatic_IsAnError()
    {
        using var root = new TempFolder();
        File.WriteAllText(Path.Combine(root.Path, "config.json"), "{}");
        var plan = PlanIn(root.Path,
            Item.Static("config.json", line: 2),
            Item.Step("writer", "echo {} > config.json", line: 5, @out: "config.json"));
        var d = SingleError(plan, Codes.OutputIsStatic);
        Assert.AreEqual(Item.At(5), d.Location);
        StringAssert.Contains(d.Message, "config.json");
    }

    [TestMethod]
    public void OutputInsideAStaticFolder_IsAnError()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "data"));
        File.WriteAllText(Path.Combine(root.Path, "data", "a.csv"), "1");
        var plan = PlanIn(root.Path,
            Item.Static("data/", line: 2),
            Item.Step("writer", "echo 2 > data/a.csv", line: 6, @out: "data/a.csv"));
        Assert.AreEqual(Item.At(6), SingleError(plan, Codes.OutputIsStatic).Location);
    }

    [TestMethod]
    public void Cycle_NamesBothSteps()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("alpha", "cat b.txt > a.txt", line: 3, inp: "b.txt", @out: "a.txt"),
            Item.Step("beta", "cat a.txt > b.txt", line: 4, inp: "a.txt", @out: "b.txt"));
        var d = SingleError(plan, Codes.Cycle);
        StringAssert.Contains(d.Message, "alpha");
        StringAssert.Contains(d.Message, "beta");
        Assert.IsTrue(d.Location == Item.At(3) || d.Location == Item.At(4), $"The cycle should point at one of its steps, not {d.Location}");
    }

    [TestMethod]
    public void ASelfCycle_IsAnErrorNamingTheStep()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("ouroboros", "cat a.txt > b.txt", line: 3, inp: "a.txt", @out: "a.txt"));
        // Declaring one's own output as input is a cycle (or at least not a valid plan).
        Assert.IsFalse(plan.IsValid, "A step whose input is its own output should not be valid: " +
            string.Join("; ", plan.Diagnostics.Select(d => d.Code + " " + d.Message)));
    }

    [TestMethod]
    public void MissingStatic_IsReportedAtTheStaticItem()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Static("nope.txt", line: 2),
            Item.Step("user", "cat nope.txt", line: 3, inp: "nope.txt"));
        var d = SingleError(plan, Codes.MissingStatic);
        Assert.AreEqual(Item.At(2), d.Location);
        StringAssert.Contains(d.Message, "nope.txt");
    }

    [TestMethod]
    public void MissingStaticFolder_IsReported()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Static("nothere/", line: 7));
        Assert.AreEqual(Item.At(7), SingleError(plan, Codes.MissingStatic).Location);
    }

    [TestMethod]
    public void OutputOutsideTheRoot_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("escape", "echo x > ../x.txt", line: 8, @out: "../x.txt"));
        var d = SingleError(plan, Codes.OutsideRoot);
        Assert.AreEqual(Item.At(8), d.Location);
        StringAssert.Contains(d.Message, "escape");
    }

    [TestMethod]
    public void VolatileOutsideTheRoot_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("escape", "echo x > /tmp/x.log", line: 8, vol: "/tmp/stepup-never.log"));
        Assert.AreEqual(Item.At(8), SingleError(plan, Codes.OutsideRoot).Location);
    }

    [TestMethod]
    public void OutputInsideTheStateFolder_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("sneaky", "echo x > .stepup/graph.db", line: 9, @out: ".stepup/graph.db"));
        var d = SingleError(plan, Codes.OutsideRoot);
        Assert.AreEqual(Item.At(9), d.Location);
        StringAssert.Contains(d.Message, ".stepup");
    }

    [TestMethod]
    public void OutputInsideTheStateFolderThroughAWorkdir_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("sneaky", "echo x > ../.stepup/x", line: 9, workdir: "sub", @out: "../.stepup/x"));
        Assert.AreEqual(Item.At(9), SingleError(plan, Codes.OutsideRoot).Location);
    }

    [TestMethod]
    public void WorkdirOutsideTheRoot_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("away", "echo x", line: 6, workdir: ".."));
        Assert.AreEqual(Item.At(6), SingleError(plan, Codes.OutsideRoot).Location);
    }

    [TestMethod]
    public void EmptyOrMissingCommand_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("blank", "   ", line: 3),
            Item.Step("none", null, line: 4));
        var found = plan.Diagnostics.Where(d => d.Code == Codes.MissingCommand).OrderBy(d => d.Location.Line).ToList();
        Assert.AreEqual(2, found.Count);
        Assert.AreEqual(Item.At(3), found[0].Location);
        StringAssert.Contains(found[0].Message, "blank");
        Assert.AreEqual(Item.At(4), found[1].Location);
        Assert.IsFalse(plan.IsValid);
    }

    [TestMethod]
    public void OptionalMaybe_IsBadMetadata()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("unsure", "echo x", line: 5, optional: "maybe"));
        var d = SingleError(plan, Codes.BadMetadata);
        Assert.AreEqual(Item.At(5), d.Location);
        StringAssert.Contains(d.Message, "maybe");
    }

    [TestMethod]
    public void PlanningMaybe_IsBadMetadata()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("unsure", "echo x", line: 5, planning: "perhaps"));
        Assert.AreEqual(Item.At(5), SingleError(plan, Codes.BadMetadata).Location);
    }

    [TestMethod]
    [DataRow("gpu:x")]
    [DataRow("gpu:-1")]
    [DataRow(":2")]
    [DataRow("gpu:1.5")]
    public void BadResources_IsBadMetadata(string resources)
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("greedy", "echo x", line: 11, resources: resources));
        var d = SingleError(plan, Codes.BadMetadata);
        Assert.AreEqual(Item.At(11), d.Location);
        StringAssert.Contains(d.Message, "Resources");
    }

    [TestMethod]
    public void GoodResources_AreParsed()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("gpu", "echo x", resources: "gpu:1, mem:4,lock"));
        Assert.IsTrue(plan.IsValid);
        var resources = plan.Steps.Single().Resources;
        Assert.AreEqual(1, resources["gpu"]);
        Assert.AreEqual(4, resources["mem"]);
        Assert.AreEqual(1, resources["lock"]);
    }

    [TestMethod]
    public void VolatileAsInput_IsAnError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("logger", "echo x > run.log", line: 3, vol: "run.log"),
            Item.Step("reader", "cat run.log", line: 4, inp: "run.log"));
        var d = SingleError(plan, Codes.VolatileInput);
        Assert.AreEqual(Item.At(4), d.Location);
        StringAssert.Contains(d.Message, "run.log");
        StringAssert.Contains(d.Message, "reader");
    }

    [TestMethod]
    public void Placeholders_AreRelativeToWorkdir_AndQuoted()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path,
            Item.Step("wd", "cat ${inp} > ${out} 2> ${vol}; echo ${HOME} ${name} $HOME", workdir: "sub",
                inp: "my file.txt;../top.txt", @out: "out dir/result.txt", vol: "log.txt"));
        Assert.IsTrue(plan.IsValid, string.Join("; ", plan.Diagnostics.Select(d => d.Message)));
        var step = plan.Steps.Single();
        Assert.AreEqual("cat 'my file.txt' ../top.txt > 'out dir/result.txt' 2> log.txt; echo ${HOME} ${name} $HOME", step.Command);
        Assert.AreEqual("sub", step.Workdir);
        CollectionAssert.AreEqual(new[] { "sub/my file.txt", "top.txt" }, step.Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "sub/out dir/result.txt" }, step.Outputs.ToArray());
        CollectionAssert.AreEqual(new[] { "sub/log.txt" }, step.Volatiles.ToArray());
        Assert.AreEqual("wd", step.Label);
        Assert.AreEqual(Item.At(3), step.Location);
    }

    [TestMethod]
    public void Placeholders_WithAQuoteInThePath_AreShellSafe()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("q", "touch ${out}", @out: "it's.txt"));
        Assert.AreEqual("touch 'it'\"'\"'s.txt'", plan.Steps.Single().Command);
    }

    [TestMethod]
    public void Placeholders_WithoutPaths_BecomeEmpty()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("none", "echo [${inp}] [${out}]"));
        Assert.AreEqual("echo [] []", plan.Steps.Single().Command);
    }

    [TestMethod]
    public void EnvNames_AreSortedAndDistinct()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Step("env", "echo", env: "ZED; ALPHA;ZED;"));
        CollectionAssert.AreEqual(new[] { "ALPHA", "ZED" }, plan.Steps.Single().EnvNames.ToArray());
    }

    [TestMethod]
    public void Script_WhoseExecutableIsMissing_IsAPlanError()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Script("gen.py", line: 12));
        var error = plan.Diagnostics.Single();
        Assert.AreEqual(Codes.MissingStatic, error.Code);
        Assert.AreEqual(12, error.Location.Line);
    }

    [TestMethod]
    public void StaticFolder_MakesEveryFileUnderItStatic_ButNotTheStateFolder()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "data", "deep"));
        File.WriteAllText(Path.Combine(root.Path, "data", "a.csv"), "1");
        File.WriteAllText(Path.Combine(root.Path, "data", "deep", "b.csv"), "2");
        var plan = PlanIn(root.Path, Item.Static("data/"));
        Assert.IsTrue(plan.IsValid);
        CollectionAssert.AreEquivalent(new[] { "data/a.csv", "data/deep/b.csv" }, plan.Statics.Select(s => s.Path).ToArray());
    }

    [TestMethod]
    public void Script_BecomesAPlanStep_WithOptionalAndStepInfo()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "sub"));
        File.WriteAllText(Path.Combine(root.Path, "sub", "gen.py"), "#!/usr/bin/env python3\n");
        var plan = PlanIn(root.Path, Item.Script("gen.py", line: 12, workdir: "sub", optional: "true", stepInfo: "f.json"));
        Assert.IsTrue(plan.IsValid, string.Join("; ", plan.Diagnostics.Select(d => d.Message)));
        var step = plan.Steps.Single();
        Assert.AreEqual("./gen.py plan --optional --step-info=f.json", step.Command);
        Assert.AreEqual("./gen.py plan --optional --step-info=f.json  # wd=sub", step.Label);
        Assert.AreEqual(step.Label, step.Key);
        Assert.AreEqual("sub", step.Workdir);
        Assert.IsTrue(step.Planning, "The plan step of a script is a planning step");
        Assert.IsFalse(step.Optional, "The plan step of a script always runs");
        Assert.AreEqual("sub/gen.py", step.Inputs[0], "The script's executable is its first input");
        CollectionAssert.Contains(step.Outputs.ToList(), "sub/f.json", "The step-info file is an output");
        Assert.AreEqual(Item.At(12), step.Location);
    }

    [TestMethod]
    public void Script_InTheRoot_HasNoWorkdirSuffix()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Script("gen.py", inp: "data.txt", @out: "made.txt"));
        var step = plan.Steps.Single();
        Assert.AreEqual("./gen.py plan", step.Command);
        Assert.AreEqual("./gen.py plan", step.Label);
        Assert.AreEqual(".", step.Workdir);
        CollectionAssert.AreEqual(new[] { "gen.py", "data.txt" }, step.Inputs.ToArray());
        CollectionAssert.AreEqual(new[] { "made.txt" }, step.Outputs.ToArray());
    }

    [TestMethod]
    public void Script_WithOptionalMaybe_IsBadMetadata()
    {
        using var root = new TempFolder();
        var plan = PlanIn(root.Path, Item.Script("gen.py", line: 13, optional: "maybe"));
        Assert.AreEqual(Item.At(13), SingleError(plan, Codes.BadMetadata).Location);
    }

    [TestMethod]
    public async Task InvalidPlan_RunsNothing_AndReportsThroughTheSession()
    {
        using var p = new EngineProject();
        var r = await p.BuildAsync(
            Item.Step("twice", "echo a > a.txt", line: 3, @out: "a.txt"),
            Item.Step("twice", "echo b > b.txt", line: 4, @out: "b.txt"));
        r.AssertFailure();
        Assert.AreEqual(Item.At(4), r.Single(Codes.DuplicateStep).Location);
        Assert.AreEqual(0, r.Events.Tagged("START").Count, r.ToString());
        Assert.IsFalse(p.Exists("a.txt"));
        Assert.IsFalse(p.Exists("b.txt"));
    }
}
