namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The `&lt;Call&gt;` item: StepUp's call protocol for .stepproj users. It plans the same step as
/// call() in a plan.py, run by the script's `stepup.core.call.driver`.
/// </summary>
[TestClass]
public sealed class CallItemTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Worker = """
        #!/usr/bin/env python3
        from stepup.core.call import driver


        def run(inp, out, prefix="", times: int = 1):
            with open(inp[0]) as src, open(out[0], "w") as dst:
                dst.write(prefix + src.read() * times)


        if __name__ == "__main__":
            driver()

        """;

    [TestMethod]
    public void Call_RunsTheFunction_SkipsWhenUnchanged_RunsAgainWhenArgsChange()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("work.py", Worker, executable: true);
        p.WriteFile("data.txt", "hello\n");
        p.WriteSteps("""<Static Include="data.txt" />""",
            """<Call Include="./work.py" Function="run" Inp="data.txt" Out="result.txt" Args='{"prefix": ">> "}' />""");
        // The command call() of the Python API plans for the same call (CallProtocolTests).
        const string first = """./work.py run '{"prefix": ">> ", "inp": ["data.txt"], "out": ["result.txt"]}'""";

        var cold = p.Build().AssertSuccess();
        cold.Check(cold.Ran(first) && cold.Succeeded(first), $"the Call item plans the step `{first}`");
        Assert.AreEqual(">> hello\n", p.ReadFile("result.txt"));

        var warm = p.Build().AssertSuccess();
        warm.Check(!warm.AnyStepStarted, "nothing changed: no step should start");

        p.WriteSteps("""<Static Include="data.txt" />""",
            """<Call Include="./work.py" Function="run" Inp="data.txt" Out="result.txt" Args='{"prefix": "## ", "times": 2}' />""");
        var changed = p.Build().AssertSuccess();
        const string second = """./work.py run '{"prefix": "## ", "times": 2, "inp": ["data.txt"], "out": ["result.txt"]}'""";
        changed.Check(changed.Ran(second), "new arguments are a new command, which runs");
        Assert.AreEqual("## hello\nhello\n", p.ReadFile("result.txt"));
    }

    [TestMethod]
    [DataRow("""<Call Include="./work.py" Function="run" Args="[1, 2]" />""", "is not a JSON object")]
    [DataRow("""<Call Include="./work.py" Function="run" Args="{nope" />""", "is not JSON")]
    [DataRow("""<Call Include="work.py" Function="run" />""", "must be a relative path with a '/'")]
    [DataRow("""<Call Include="./work.py" Function="2run" />""", "is not a Python identifier")]
    [DataRow("""<Call Include="./work.py" />""", "has no Function")]
    public void MalformedCall_IsStepup0601_AtItsLine(string item, string message)
    {
        using var p = new TestProject(_home);
        p.WriteFile("work.py", Worker, executable: true);
        p.WriteSteps(item);
        var result = p.Build();
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        p.AssertErrorAt(result, "STEPUP0601", p.LineOf("<Call"));
        StringAssert.Contains(result.Output, message);
    }
}
