namespace StepUp.Tests.EndToEnd;

/// <summary>
/// Why a step failed is visible where a user looks first: in the error itself, under the terminal
/// logger, in an IDE's error list (an errors-only file log), and on disk under .stepup/logs.
/// </summary>
[TestClass]
public sealed class FailureReasonTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    [TestMethod]
    public void FailedStep_ItsErrorCarriesTheLastLinesOfItsStderr_UnderTheTerminalLogger_AndAllOfItIsKept()
    {
        using var p = new TestProject(_home);
        // 30 lines on standard error (trace-01 .. trace-30), one on standard output, then exit 1.
        p.WriteSteps("""<Step Include="transform" Command="echo progress-on-stdout; seq -w 1 30 | sed s/^/trace-/ 1&gt;&amp;2; exit 1" Out="t.txt" />""");
        var errorsLog = Path.Combine(p.Base, "errors.log");

        var r = p.BuildWithTerminalLogger("-fl", "-flp:errorsonly;logfile=" + errorsLog).AssertFailure();
        var shown = r.Plain;
        r.Check(shown.Contains("STEPUP0101", StringComparison.Ordinal), "The terminal logger shows the step's error");
        foreach (var line in new[] { "trace-11", "trace-20", "trace-30" })
            r.Check(shown.Contains(line, StringComparison.Ordinal), $"The terminal logger shows the stderr line {line} with the error");
        r.Check(!shown.Contains("trace-10", StringComparison.Ordinal), "The error carries the last 20 lines, not more");

        var errors = File.ReadAllText(errorsLog);
        var stderrLog = p.PathOf(".stepup/logs/transform.err");
        r.Check(errors.Contains("error STEPUP0101", StringComparison.Ordinal) && errors.Contains("trace-30", StringComparison.Ordinal),
            "The error as an IDE's error list sees it carries the end of stderr:\n" + errors);
        r.Check(errors.Contains(stderrLog, StringComparison.Ordinal), "The error says where the full output is:\n" + errors);
        var kept = File.ReadAllText(stderrLog);
        Assert.IsTrue(kept.Contains("trace-01\n", StringComparison.Ordinal) && kept.Contains("trace-30\n", StringComparison.Ordinal),
            "All of stderr is kept after the build: " + kept);
        Assert.AreEqual("progress-on-stdout\n", p.ReadFile(".stepup/logs/transform.out"), "Standard output is kept too");
    }

    [TestMethod]
    public void FailedStepWithoutStderr_ItsErrorCarriesTheEndOfItsStdout()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="quiet" Command="echo only-stdout-reason; exit 2" Out="q.txt" />""");

        var r = p.Build().AssertFailure();
        var error = r.ErrorLines("STEPUP0101");
        r.Check(error.Any(l => l.Contains("only-stdout-reason", StringComparison.Ordinal)), "The error carries the stdout when stderr is empty");
        Assert.AreEqual("only-stdout-reason\n", p.ReadFile(".stepup/logs/quiet.out"));
        Assert.IsFalse(p.FileExists(".stepup/logs/quiet.err"), "No file for a stream the step did not write to");
    }

    [TestMethod]
    public void OutputOverTheSizeLimit_KeepsItsEnd()
    {
        using var p = new TestProject(_home);
        // About 2 MiB of filler on stdout, then the line that explains the failure.
        p.WriteSteps("""<Step Include="chatty" Command="yes filler-line-of-some-length 2&gt;/dev/null | head -c 2100000; echo; echo the-real-reason; exit 1" Out="c.txt" />""");

        var r = p.Build().AssertFailure();
        var kept = p.ReadFile(".stepup/logs/chatty.out");
        Assert.IsTrue(kept.TrimEnd().EndsWith("the-real-reason", StringComparison.Ordinal), "The end of a long output is kept");
        Assert.IsTrue(kept.Length < 1_100_000, "The kept output is bounded: " + kept.Length);
        Assert.IsTrue(kept.StartsWith("[output truncated", StringComparison.Ordinal), "It says that its beginning was left out");
        r.Check(r.ErrorLines("STEPUP0101").Any(l => l.Contains("the-real-reason", StringComparison.Ordinal)), "The error carries the end");
    }

    [TestMethod]
    public void MistypedCommand_TheShellNamesTheStep_NotAnInternalScript()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="convert" Command="echo starting &amp;&amp; pyhton3 convert.py" Out="c.txt" />""");

        var r = p.Build().AssertFailure();
        var error = string.Join("\n", r.ErrorLines("STEPUP0101"));
        r.Check(error.Contains("convert: 1: pyhton3: not found", StringComparison.Ordinal), "The shell's message names the step and the command's line:\n" + error);
        r.Check(error.Contains("exit code 127 (a command was not found)", StringComparison.Ordinal), "The error says what exit code 127 means");
        r.Check(!r.Output.Contains(".sh: ", StringComparison.Ordinal), "No internal script path in the output");
        Assert.IsFalse(p.ReadFile(".stepup/logs/convert.err").Contains(".sh", StringComparison.Ordinal), "Nor in the kept output");
    }
}
