using StepUp.Protocol;

namespace StepUp.Tests.Cli;

/// <summary>
/// The `stepup` command as a step runs it: a real process talking to a fake director over a Unix
/// socket. Checks the exact requests (docs/step-api.md), the output, and the exit codes.
/// </summary>
[TestClass]
public sealed class StepupCommandTests
{
    const string Token = "tok-123";

    static Dictionary<string, object?> Ok(params (string Key, object? Value)[] fields)
    {
        var answer = new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = "ok" };
        foreach (var (key, value) in fields) answer[key] = value;
        return answer;
    }

    static Dictionary<string, string> StepEnv(FakeDirector director) => new()
    {
        ["STEPUP_DIRECTOR_SOCKET"] = director.SocketPath,
        ["STEPUP_STEP_TOKEN"] = Token,
    };

    static StepupResult Run(FakeDirector director, params string[] args) =>
        StepupProcess.Run(director.Folder, StepEnv(director), args);

    /// <summary>Runs outside any step: no director variables.</summary>
    static StepupResult RunOutside(params string[] args) =>
        StepupProcess.Run(Path.GetTempPath(), null, args);

    static void AssertExit(int expected, StepupResult result) =>
        Assert.AreEqual(expected, result.ExitCode, result.ToString());

    /// <summary>The request has exactly these fields besides type, protocol, token and cwd, which are checked too.</summary>
    static void AssertRequest(FakeDirector director, string type, params (string Key, object? Value)[] fields)
    {
        var request = director.Request;
        var expected = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = type,
            ["protocol"] = (long)ProtocolInfo.Version,
            ["token"] = Token,
            ["cwd"] = director.Folder,
        };
        foreach (var (key, value) in fields) expected[key] = value;
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), request.Keys.ToList(), "request fields: " + TestJson.Write(request));
        foreach (var (key, value) in expected)
            Assert.AreEqual(TestJson.Write(value), TestJson.Write(request[key]), "field " + key + " of " + TestJson.Write(request));
    }

    static List<string> L(params string[] items) => items.ToList();

    // ---- config

    [TestMethod]
    public void Config_PrintsTheBuildSettingsOfTheEnvironment_AlsoInsideAStep()
    {
        using var director = new FakeDirector(Ok());
        var env = StepEnv(director);
        env["STEPUP_BUILD_JOBS"] = "3";
        env["STEPUP_BUILD_RESOURCES"] = "gpu:2";
        var result = StepupProcess.Run(director.Folder, env, "config");
        AssertExit(0, result);
        var lines = result.Stdout.Split('\n');
        CollectionAssert.Contains(lines, "[build]", result.ToString());
        CollectionAssert.Contains(lines, "jobs = 3  # STEPUP_BUILD_JOBS", result.ToString());
        CollectionAssert.Contains(lines, "watch = false  # STEPUP_BUILD_WATCH (unset: the default)", result.ToString());
        CollectionAssert.Contains(lines, "resources = \"gpu:2\"  # STEPUP_BUILD_RESOURCES", result.ToString());
    }

    // ---- step

    [TestMethod]
    public void Step_SendsEveryOption()
    {
        using var director = new FakeDirector(Ok(("key", "build"), ("label", "build")));
        var result = Run(director, "step", "--name", "build", "--inp", "a.txt", "--inp=b.txt", "--out", "c.txt",
            "--vol=v.log", "--env", "HOME", "--env=LANG", "--workdir", "sub/", "--optional", "--planning",
            "--resources=gpu:1", "--", "cat", "a.txt", "b.txt", ">", "c.txt");
        AssertExit(0, result);
        Assert.AreEqual("build\n", result.Stdout);
        Assert.AreEqual("", result.Stderr);
        AssertRequest(director, "api.step",
            ("command", "cat a.txt b.txt > c.txt"),
            ("name", "build"),
            ("workdir", "sub/"),
            ("inp", L("a.txt", "b.txt")),
            ("out", L("c.txt")),
            ("vol", L("v.log")),
            ("env", L("HOME", "LANG")),
            ("optional", true),
            ("planning", true),
            ("resources", "gpu:1"));
    }

    [TestMethod]
    public void Step_Defaults_AndCommandSentAsWritten()
    {
        using var director = new FakeDirector(Ok(("key", "echo hi > x"), ("label", "echo hi > x")));
        var result = Run(director, "step", "--", "echo hi > x");
        AssertExit(0, result);
        Assert.AreEqual("echo hi > x\n", result.Stdout);
        AssertRequest(director, "api.step",
            ("command", "echo hi > x"),
            ("workdir", "./"),
            ("inp", L()), ("out", L()), ("vol", L()), ("env", L()),
            ("optional", false),
            ("planning", false));
    }

    [TestMethod]
    public void Step_FirstWordEndsOptions()
    {
        using var director = new FakeDirector(Ok(("key", "k"), ("label", "cat a --inp b")));
        var result = Run(director, "step", "--inp", "a", "cat", "a", "--inp", "b");
        AssertExit(0, result);
        var request = director.Request;
        Assert.AreEqual("cat a --inp b", request["command"]);
        Assert.AreEqual("[\"a\"]", TestJson.Write(request["inp"]));
    }

    [TestMethod]
    public void Step_PrintsKeyWhenNoLabel()
    {
        using var director = new FakeDirector(Ok(("key", "the-key")));
        var result = Run(director, "step", "--", "true");
        AssertExit(0, result);
        Assert.AreEqual("the-key\n", result.Stdout);
    }

    [TestMethod]
    public void Step_ErrorAnswer_FailsWithItsMessage()
    {
        using var director = new FakeDirector(new Dictionary<string, object?> { ["type"] = "error", ["message"] = "step 'x' is defined twice" });
        var result = Run(director, "step", "--name", "x", "--", "true");
        AssertExit(1, result);
        Assert.AreEqual("", result.Stdout);
        Assert.AreEqual("stepup: error: step 'x' is defined twice\n", result.Stderr);
    }

    // ---- static

    [TestMethod]
    public void Static_SendsPaths_PrintsNothing()
    {
        using var director = new FakeDirector(Ok(("paths", L("a.txt", "data/b.txt"))));
        var result = Run(director, "static", "a.txt", "data/", "--", "-odd");
        AssertExit(0, result);
        Assert.AreEqual("", result.Stdout);
        Assert.AreEqual("", result.Stderr);
        AssertRequest(director, "api.static", ("paths", L("a.txt", "data/", "-odd")));
    }

    // ---- amend

    [TestMethod]
    public void Amend_SendsEveryOption()
    {
        using var director = new FakeDirector(Ok(("carryOn", true)));
        var result = Run(director, "amend", "--inp", "x.txt", "--inp=y/", "--out", "o.txt", "--vol", "v", "--env", "SEED", "--implicit-static");
        AssertExit(0, result);
        Assert.AreEqual("", result.Stdout);
        Assert.AreEqual("", result.Stderr);
        AssertRequest(director, "api.amend",
            ("inp", L("x.txt", "y/")),
            ("out", L("o.txt")),
            ("vol", L("v")),
            ("env", L("SEED")),
            ("implicitStatic", true));
    }

    [TestMethod]
    public void Amend_Defaults()
    {
        using var director = new FakeDirector(Ok(("carryOn", true)));
        var result = Run(director, "amend", "--inp", "x.txt");
        AssertExit(0, result);
        AssertRequest(director, "api.amend",
            ("inp", L("x.txt")), ("out", L()), ("vol", L()), ("env", L()), ("implicitStatic", false));
    }

    [TestMethod]
    public void Amend_NotBuiltYet_Exits75()
    {
        using var director = new FakeDirector(Ok(("carryOn", false)));
        var result = Run(director, "amend", "--inp", "later.txt");
        AssertExit(75, result);
        Assert.AreEqual("", result.Stdout);
        Assert.AreEqual("stepup: amended inputs are not built yet; the step will run again when they are.\n", result.Stderr);
    }

    // ---- script

    [TestMethod]
    public void Script_SendsEveryOption()
    {
        using var director = new FakeDirector(Ok(("key", "plan"), ("label", "./plot.py plan  # wd=sub/")));
        var result = Run(director, "script", "plot.py", "--workdir", "sub/", "--optional", "--step-info=info.json");
        AssertExit(0, result);
        Assert.AreEqual("./plot.py plan  # wd=sub/\n", result.Stdout);
        AssertRequest(director, "api.script",
            ("executable", "plot.py"),
            ("workdir", "sub/"),
            ("optional", true),
            ("stepInfo", "info.json"),
            ("inp", L()), ("out", L()), ("vol", L()), ("env", L()));
    }

    [TestMethod]
    public void Script_Defaults()
    {
        using var director = new FakeDirector(Ok(("label", "./run.py plan")));
        var result = Run(director, "script", "run.py");
        AssertExit(0, result);
        AssertRequest(director, "api.script",
            ("executable", "run.py"),
            ("workdir", "./"),
            ("optional", false),
            ("inp", L()), ("out", L()), ("vol", L()), ("env", L()));
    }

    // ---- graph and info

    [TestMethod]
    public void Graph_SendsPrefix_PrintsFiles()
    {
        using var director = new FakeDirector(Ok(("files", L("out/g.txt", "out/g.dot", "out/g.json"))));
        var result = Run(director, "graph", "out/g");
        AssertExit(0, result);
        Assert.AreEqual("out/g.txt\nout/g.dot\nout/g.json\n", result.Stdout);
        AssertRequest(director, "api.graph", ("prefix", "out/g"));
    }

    [TestMethod]
    public void Info_PrintsAnswerAsJson()
    {
        var answer = Ok(("command", "echo \"hi\""), ("workdir", "./"), ("inp", L("a", "b")), ("out", L()),
            ("vol", L()), ("env", L("HOME")));
        using var director = new FakeDirector(answer);
        var result = Run(director, "info");
        AssertExit(0, result);
        AssertRequest(director, "api.info");
        var printed = TestJson.Parse(result.Stdout) as Dictionary<string, object?>;
        Assert.IsNotNull(printed, result.Stdout);
        answer.Remove("type");
        Assert.AreEqual(TestJson.Write(answer), TestJson.Write(printed));
        Assert.IsTrue(result.Stdout.Contains("\n  \"inp\": [\n    \"a\",\n    \"b\"\n  ],\n"), result.Stdout);
    }

    // ---- failures

    [TestMethod]
    public void Rejected_FailsWithReason()
    {
        using var director = new FakeDirector(new Dictionary<string, object?> { ["type"] = "rejected", ["reason"] = "protocol 7 is not spoken here" });
        var result = Run(director, "static", "a.txt");
        AssertExit(1, result);
        Assert.IsTrue(result.Stderr.StartsWith("stepup: error: ", StringComparison.Ordinal), result.ToString());
        StringAssert.Contains(result.Stderr, "protocol 7 is not spoken here");
    }

    [TestMethod]
    public void DirectorHangsUp_FailsClearly()
    {
        using var director = new FakeDirector((Dictionary<string, object?>?)null);
        var result = Run(director, "static", "a.txt");
        AssertExit(1, result);
        StringAssert.Contains(result.Stderr, "stepup: error: ");
        StringAssert.Contains(result.Stderr, "closed the connection without answering");
    }

    [TestMethod]
    public void NoSocketFile_FailsClearly()
    {
        var env = new Dictionary<string, string>
        {
            ["STEPUP_DIRECTOR_SOCKET"] = Path.Combine(Path.GetTempPath(), "stepup-cli-missing-" + Guid.NewGuid().ToString("N")[..8] + ".sock"),
            ["STEPUP_STEP_TOKEN"] = Token,
        };
        var result = StepupProcess.Run(Path.GetTempPath(), env, "static", "a.txt");
        AssertExit(1, result);
        StringAssert.Contains(result.Stderr, "stepup: error: cannot connect to the StepUp director");
        StringAssert.Contains(result.Stderr, env["STEPUP_DIRECTOR_SOCKET"]);
    }

    [TestMethod]
    [DataRow("step", "--", "true")]
    [DataRow("static", "a.txt")]
    [DataRow("amend", "--inp", "a.txt")]
    [DataRow("script", "plan.py")]
    [DataRow("info")]
    public void OutsideAStep_FailsWithExplanation(params string[] args)
    {
        var result = RunOutside(args);
        AssertExit(1, result);
        Assert.AreEqual("", result.Stdout);
        Assert.AreEqual(
            "stepup: error: `stepup " + args[0] + "` only works inside a step run by StepUp (`dotnet build` of a .stepproj): " +
            "STEPUP_DIRECTOR_SOCKET is not set.\n",
            result.Stderr);
    }

    // ---- usage

    [TestMethod]
    [DataRow("step", new[] { "--inp" }, "option --inp needs a value (--inp P)")]
    [DataRow("step", new[] { "--bogus", "--", "true" }, "unknown option --bogus")]
    [DataRow("step", new[] { "--inp", "a" }, "no COMMAND given (put it after --)")]
    [DataRow("step", new[] { "--" }, "no COMMAND given (put it after --)")]
    [DataRow("step", new[] { "--optional=yes", "--", "true" }, "option --optional takes no value")]
    [DataRow("step", new[] { "--name", "a", "--name", "b", "--", "true" }, "option --name given more than once")]
    [DataRow("static", new string[0], "no path given")]
    [DataRow("amend", new[] { "x.txt" }, "unexpected argument 'x.txt'")]
    [DataRow("script", new string[0], "EXE is missing")]
    [DataRow("script", new[] { "a.py", "b.py" }, "unexpected argument 'b.py' after EXE")]
    [DataRow("graph", new string[0], "PREFIX is missing")]
    [DataRow("info", new[] { "--verbose" }, "unknown option --verbose")]
    public void UsageErrors_Exit2WithUsageLine(string command, string[] rest, string message)
    {
        // Inside a step: usage errors are found before the director is asked anything.
        using var director = new FakeDirector(Ok());
        var result = Run(director, [command, .. rest]);
        AssertExit(2, result);
        Assert.AreEqual("", result.Stdout);
        var lines = result.Stderr.Split('\n');
        Assert.IsTrue(lines[0].StartsWith("usage: stepup " + command, StringComparison.Ordinal), result.ToString());
        Assert.AreEqual("stepup: error: " + message, lines[1], result.ToString());
        Assert.AreEqual(0, director.Requests.Count);
    }

    [TestMethod]
    [DataRow(new string[0], "no command given")]
    [DataRow(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [DataRow(new[] { "--frobnicate" }, "unknown option --frobnicate")]
    public void TopLevelUsageErrors_Exit2(string[] args, string message)
    {
        var result = RunOutside(args);
        AssertExit(2, result);
        Assert.IsTrue(result.Stderr.StartsWith("usage: stepup COMMAND [ARGS...]\nstepup: error: " + message, StringComparison.Ordinal), result.ToString());
    }

    // ---- help

    [TestMethod]
    public void TopHelp_ListsEveryCommand()
    {
        foreach (var flag in new[] { "--help", "-h", "help" })
        {
            var result = RunOutside(flag);
            AssertExit(0, result);
            Assert.AreEqual("", result.Stderr);
            foreach (var command in new[] { "step", "static", "amend", "script", "graph", "info" })
                StringAssert.Contains(result.Stdout, "\n  " + command + " ");
            StringAssert.Contains(result.Stdout, "stepup step [--name N] [--inp P]... [--out P]... [--vol P]... [--env V]... [--workdir D] [--optional] [--planning] [--resources R] -- COMMAND...");
            StringAssert.Contains(result.Stdout, "stepup script EXE [--workdir D] [--optional] [--step-info F]");
        }
    }

    [TestMethod]
    [DataRow("step", "--name N", "--inp P", "--out P", "--vol P", "--env V", "--workdir D", "--optional", "--planning", "--resources R", "-- COMMAND...")]
    [DataRow("static", "P...")]
    [DataRow("amend", "--inp P", "--out P", "--vol P", "--env V", "--implicit-static")]
    [DataRow("script", "EXE", "--workdir D", "--optional", "--step-info F")]
    [DataRow("info")]
    public void CommandHelp_MentionsEveryOption(string command, params string[] mentions)
    {
        // Help works outside a step, and wins over everything else on the line.
        var viaOption = RunOutside(command, "--inp", "x", "--help");
        var viaHelp = RunOutside("help", command);
        foreach (var result in new[] { viaOption, viaHelp })
        {
            AssertExit(0, result);
            Assert.AreEqual("", result.Stderr);
            Assert.IsTrue(result.Stdout.StartsWith("usage: stepup " + command, StringComparison.Ordinal), result.Stdout);
            foreach (var mention in mentions) StringAssert.Contains(result.Stdout, mention);
            StringAssert.Contains(result.Stdout, "-h, --help");
        }
    }

    [TestMethod]
    public void HelpAfterDoubleDash_IsPartOfTheCommand()
    {
        using var director = new FakeDirector(Ok(("label", "mytool --help")));
        var result = Run(director, "step", "--", "mytool", "--help");
        AssertExit(0, result);
        Assert.AreEqual("mytool --help", director.Request["command"]);
    }
}
