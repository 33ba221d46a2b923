namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A step run through an interpreter (`python3 plan.py`, `bash make.sh`) depends on its script: an
/// edit of the script reruns the step, planning step or not.
/// </summary>
[TestClass]
public sealed class InterpreterInputTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    static string PlanScript(string version) => $$"""
        with open("plan.txt", "w") as f:
            f.write("{{version}}\n")

        """;

    [TestMethod]
    public void EditingThePlanScriptOfAnInterpretedPlanningStep_RerunsIt()
    {
        using var p = new TestProject(_home);
        p.WriteFile("plan.py", PlanScript("v1"));
        p.WriteSteps("""<Step Include="plan" Command="python3 plan.py" Planning="true" Out="plan.txt" />""");
        var first = p.Build().AssertSuccess();
        first.Check(first.Ran("plan"), "The planning step runs the first time");
        Assert.AreEqual("v1\n", p.ReadFile("plan.txt"));

        var second = p.Build().AssertSuccess();
        second.Check(second.Skipped("plan"), "Nothing changed: the planning step is skipped");

        p.WriteFile("plan.py", PlanScript("v2"));
        var third = p.Build().AssertSuccess();
        third.Check(third.Ran("plan"), "plan.py changed: the planning step must run again");
        Assert.AreEqual("v2\n", p.ReadFile("plan.txt"), "The plan is not stale");
    }

    [TestMethod]
    public void AnyStepDependsOnTheScriptItsInterpreterRuns_NotOnInlineCode()
    {
        using var p = new TestProject(_home);
        p.WriteFile("tools/make.sh", "echo one > \"$1\"\n");
        p.WriteSteps(
            """<Step Include="make" Command="bash -e tools/make.sh ${out}" Out="made.txt" />""",
            """<Step Include="inline" Command="python3 -c 'print(1)' &gt; ${out}" Out="inline.txt" />""");
        p.Build().AssertSuccess();
        Assert.AreEqual("one\n", p.ReadFile("made.txt"));

        p.WriteFile("tools/make.sh", "echo two > \"$1\"\n");
        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("make"), "tools/make.sh changed: the step that runs it must run again");
        r.Check(r.Skipped("inline"), "A step whose program is inline (python3 -c) depends on no file");
        Assert.AreEqual("two\n", p.ReadFile("made.txt"));
    }
}
