using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>Steps that fail, do not make their outputs, change their input, or wait for an input nobody makes.</summary>
[TestClass]
public sealed class FailureTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Failing = """<Step Include="broken" Command="echo oops-on-stdout; echo oops-on-stderr 1&gt;&amp;2; exit 3" Out="f.txt" />""";
    const string Fixed = """<Step Include="broken" Command="echo fixed &gt; ${out}" Out="f.txt" />""";
    const string Dependent = """<Step Include="after" Command="cat ${inp} &gt; ${out}" Inp="f.txt" Out="g.txt" />""";
    const string Independent = """<Step Include="indep" Command="echo hi &gt; ${out}" Out="i.txt" />""";

    static string MessageOf(string errorLine, string code)
    {
        var at = errorLine.IndexOf(code + ":", StringComparison.Ordinal);
        return at < 0 ? errorLine : errorLine[(at + code.Length + 1)..];
    }

    [TestMethod]
    public void FailingStep_FailsTheBuild_AndItsDependentDoesNotRun_ThenRunsOnceFixed()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Failing, Dependent);

        var r = p.Build().AssertFailure("A failing step fails dotnet build");
        p.AssertErrorAt(r, "STEPUP0101", p.LineOf("Include=\"broken\""));
        var message = MessageOf(r.ErrorLine("STEPUP0101")!, "STEPUP0101");
        r.Check(message.Contains("broken", StringComparison.Ordinal), "The error should name the step");
        r.Check(Regex.IsMatch(message, @"\b3\b"), "The error should give the exit code 3");
        r.Check(r.Failed("broken"), "The step should be reported as `FAIL │ broken`");
        r.Check(r.Output.Contains("oops-on-stdout", StringComparison.Ordinal), "The failed step's stdout should be in the log");
        r.Check(r.Output.Contains("oops-on-stderr", StringComparison.Ordinal), "The failed step's stderr should be in the log");
        r.Check(!r.Ran("after"), "A step that needs the failed step's output must not run");
        Assert.IsFalse(p.FileExists("g.txt"));
        r.Check(r.Summary != null && r.Summary.Contains("1 failed", StringComparison.Ordinal), "The summary should count the failure: " + r.Summary);

        p.WriteSteps(Fixed, Dependent);
        var again = p.Build().AssertSuccess();
        again.Check(again.Ran("broken") && again.Ran("after"), "After the fix, the step and its dependent run");
        Assert.AreEqual("fixed\n", p.ReadFile("g.txt"));
    }

    [TestMethod]
    public void KeepGoing_StartsIndependentStepsAfterAFailure()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Failing, Dependent, Independent);

        var r = p.Build("-p:StepUpKeepGoing=true", "-p:StepUpJobs=1").AssertFailure();
        r.Check(r.HasError("STEPUP0101"), "The failure is still an error");
        r.Check(r.Ran("indep") && r.Succeeded("indep"), "With StepUpKeepGoing=true an independent step still runs");
        Assert.AreEqual("hi\n", p.ReadFile("i.txt"));
        r.Check(!r.Ran("after"), "A step that needs the failed output still does not run");
    }

    [TestMethod]
    public void DeclaredOutputNotCreated_FailsTheStep()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="lazy" Command="echo did nothing" Out="never.txt" />""");

        var r = p.Build().AssertFailure("A step that does not create its declared output fails");
        p.AssertErrorAt(r, "STEPUP0102", p.LineOf("Include=\"lazy\""));
        r.Check(r.ErrorLine("STEPUP0102")!.Contains("never.txt", StringComparison.Ordinal), "The error should name the missing output");
    }

    [TestMethod]
    public void StepThatModifiesItsOwnInput_Fails()
    {
        using var p = new TestProject(_home);
        p.WriteFile("in.txt", "original\n");
        p.WriteSteps(
            """<Static Include="in.txt" />""",
            """<Step Include="meddle" Command="cat ${inp} &gt; ${out}; echo appended &gt;&gt; ${inp}" Inp="in.txt" Out="out.txt" />""");

        var r = p.Build().AssertFailure("A step that changes its own input fails");
        p.AssertErrorAt(r, "STEPUP0103", p.LineOf("Include=\"meddle\""));
        r.Check(r.ErrorLine("STEPUP0103")!.Contains("in.txt", StringComparison.Ordinal), "The error should name the changed input");
    }

    [TestMethod]
    public void InputThatNothingProduces_FailsTheBuild_NamingStepAndInput()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="waiting" Command="cat ${inp} &gt; ${out}" Inp="nowhere.txt" Out="copy.txt" />""",
            """<Step Include="fine" Command="echo fine &gt; ${out}" Out="fine.txt" />""");

        var r = p.Build().AssertFailure("An input that is neither static nor produced makes the build fail");
        r.Check(!r.Ran("waiting"), "The step whose input is missing cannot run");
        p.AssertErrorAt(r, "STEPUP0104", p.LineOf("Include=\"waiting\""));
        var line = r.ErrorLine("STEPUP0104")!;
        r.Check(line.Contains("waiting", StringComparison.Ordinal) && line.Contains("nowhere.txt", StringComparison.Ordinal),
            "The error should name the step and the missing input");
    }
}
