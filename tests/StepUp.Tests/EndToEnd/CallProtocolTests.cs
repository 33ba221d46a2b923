namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUp 4's call protocol from a plan.py planning step of a .stepproj: `call()` plans
/// `./work.py FUNCTION 'JSON'`, `stepup.core.call.driver` runs the function, a planning call fans
/// out, and the called function amends its step.
/// </summary>
[TestClass]
public sealed class CallProtocolTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string PlanStep = """<Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />""";

    const string Worker = """
        #!/usr/bin/env python3
        from stepup.core.api import amend, call, glob
        from stepup.core.call import driver


        def run(inp, out, prefix=""):
            with open(inp[0]) as src, open(out[0], "w") as dst:
                dst.write(prefix + src.read())


        def plan():
            for match in glob("input_${*name}.txt"):
                call("./work.py", "run", inp=[match.files], out=["output_%s.txt" % match.name])


        def count(out):
            amend(inp="words.txt")
            with open("words.txt") as src, open(out[0], "w") as dst:
                dst.write("%d\n" % len(src.read().split()))


        if __name__ == "__main__":
            driver()

        """;

    [TestMethod]
    public void Call_RunsTheFunction_IsSkippedWhenUnchanged_AndRunsAgainWhenItsArgumentsChange()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("work.py", Worker, executable: true);
        p.WriteFile("data.txt", "hello\n");
        p.WriteFile("config.json", """{"prefix": ">> "}""");
        p.WriteFile("plan.py", """
            #!/usr/bin/env python3
            from stepup.core.api import call, loadns, static

            static("work.py", "data.txt", "config.json")
            config = loadns("config.json")
            call("./work.py", "run", inp=["data.txt"], out=["result.txt"], prefix=config.prefix)

            """, executable: true);
        p.WriteSteps(PlanStep);
        const string first = """./work.py run '{"prefix": ">> ", "inp": ["data.txt"], "out": ["result.txt"]}'""";

        var cold = p.Build().AssertSuccess();
        cold.Check(cold.Ran(first) && cold.Succeeded(first), $"call() plans the step `{first}`");
        Assert.AreEqual(">> hello\n", p.ReadFile("result.txt"));

        var warm = p.Build().AssertSuccess();
        warm.Check(!warm.AnyStepStarted, "Nothing changed: no step should start");

        p.WriteFile("config.json", """{"prefix": "## "}""");
        var changed = p.Build().AssertSuccess();
        const string second = """./work.py run '{"prefix": "## ", "inp": ["data.txt"], "out": ["result.txt"]}'""";
        changed.Check(changed.Ran("plan"), "config.json was loaded with loadns(), so it is an input of plan.py");
        changed.Check(changed.Ran(second) && !changed.Ran(first), "The new arguments are a new command, which runs");
        Assert.AreEqual("## hello\n", p.ReadFile("result.txt"));
    }

    [TestMethod]
    public void PlanningCall_DefinesAStepPerInput_AndACalledFunctionAmendsItsStep()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("work.py", Worker, executable: true);
        p.WriteFile("input_a.txt", "A\n");
        p.WriteFile("input_b.txt", "B\n");
        p.WriteFile("words.txt", "one two three\n");
        p.WriteFile("plan.py", """
            #!/usr/bin/env python3
            from stepup.core.api import call, static

            static("work.py", "input_a.txt", "input_b.txt", "words.txt")
            call("./work.py", "plan", planning=True)
            call("./work.py", "count", out=["count.txt"])

            """, executable: true);
        p.WriteSteps(PlanStep);
        const string planning = "./work.py plan '{}'";
        const string runA = """./work.py run '{"inp": ["input_a.txt"], "out": ["output_a.txt"]}'""";
        const string runB = """./work.py run '{"inp": ["input_b.txt"], "out": ["output_b.txt"]}'""";
        const string count = """./work.py count '{"out": ["count.txt"]}'""";

        var cold = p.Build().AssertSuccess();
        cold.Check(cold.Succeeded(planning), $"The planning call runs as `{planning}`");
        cold.Check(cold.Succeeded(runA) && cold.Succeeded(runB), "The planning function calls run() once per input");
        Assert.AreEqual("A\n", p.ReadFile("output_a.txt"));
        Assert.AreEqual("B\n", p.ReadFile("output_b.txt"));
        cold.Check(cold.Succeeded(count), $"`{count}` runs");
        Assert.AreEqual("3\n", p.ReadFile("count.txt"));

        p.WriteFile("words.txt", "one two three four\n");
        var edited = p.Build().AssertSuccess();
        edited.Check(edited.Ran(count), "words.txt, amended by the called function, is an input of its step");
        edited.Check(!edited.Ran(runA) && !edited.Ran(planning), "Steps that do not read words.txt do not run");
        Assert.AreEqual("4\n", p.ReadFile("count.txt"));
    }
}
