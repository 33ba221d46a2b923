using System.Text.Json;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUp's script protocol as `&lt;Script&gt;` items (seed 000 and the multiple-cases variant):
/// `./exe plan` plans `./exe run` steps through `stepup.core.script.driver`, and the tutorial's
/// "Try the following" bullets.
/// </summary>
[TestClass]
public sealed class ScriptProtocolTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Plan = "./generate.py plan";
    const string Run = "./generate.py run";

    const string Config = """
        {
          "nstep": 20,
          "freq": 0.1
        }

        """;

    /// <summary>Seed 000's generate.py, with JSON files instead of numpy arrays.</summary>
    const string Generate = """
        #!/usr/bin/env python3
        import json
        import math

        from stepup.core.script import driver


        def info():
            return {
                "inp": "config.json",
                "out": ["cos.json", "sin.json"],
            }


        def run(inp, out):
            with open(inp) as fh:
                config = json.load(fh)
            nstep = config["nstep"]
            freq = config["freq"]
            with open(out[0], "w") as fh:
                json.dump([math.cos(2 * math.pi * freq * i) for i in range(nstep)], fh)
            with open(out[1], "w") as fh:
                json.dump([math.sin(2 * math.pi * freq * i) for i in range(nstep)], fh)


        if __name__ == "__main__":
            driver()

        """;

    /// <summary>The same script with the computation in a local module, imported at the top.</summary>
    const string GenerateWithHelper = """
        #!/usr/bin/env python3
        import json

        from helper import compute
        from stepup.core.script import driver


        def info():
            return {
                "inp": "config.json",
                "out": ["cos.json", "sin.json"],
            }


        def run(inp, out):
            with open(inp) as fh:
                config = json.load(fh)
            cos, sin = compute(config["nstep"], config["freq"])
            with open(out[0], "w") as fh:
                json.dump(cos, fh)
            with open(out[1], "w") as fh:
                json.dump(sin, fh)


        if __name__ == "__main__":
            driver()

        """;

    const string Helper = """
        import math


        def compute(nstep, freq):
            cos = [math.cos(2 * math.pi * freq * i) for i in range(nstep)]
            sin = [math.sin(2 * math.pi * freq * i) for i in range(nstep)]
            return cos, sin

        """;

    static int JsonLength(TestProject p, string path)
    {
        using var doc = JsonDocument.Parse(p.ReadFile(path));
        return doc.RootElement.GetArrayLength();
    }

    static void CheckPlanSkippedRunRan(BuildResult r, string why)
    {
        r.Check(r.Skipped(Plan) && !r.Ran(Plan), why + ": the plan step should be SKIP (the script did not change)");
        r.Check(r.Ran(Run) && r.Succeeded(Run), why + ": the run step should run again");
    }

    static void CheckBothRan(BuildResult r, string why) =>
        r.Check(r.Ran(Plan) && r.Succeeded(Plan) && r.Ran(Run) && r.Succeeded(Run), why + ": both the plan and the run step should run");

    static void CheckBothSkipped(BuildResult r, string why) =>
        r.Check(!r.AnyStepStarted && r.Skipped(Plan) && r.Skipped(Run), why + ": both steps should be SKIP and none should start");

    /// <summary>Seed 000, single case, with all of its "Try the following" bullets.</summary>
    [TestMethod]
    public void SingleCaseScript_TryTheFollowing()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("config.json", Config);
        p.WriteFile("generate.py", Generate, executable: true);
        p.WriteSteps("""<Static Include="config.json" />""", """<Script Include="generate.py" />""");

        var first = p.Build().AssertSuccess();
        CheckBothRan(first, "First build");
        Assert.AreEqual(20, JsonLength(p, "cos.json"));
        Assert.AreEqual(20, JsonLength(p, "sin.json"));

        CheckBothSkipped(p.Build().AssertSuccess(), "Nothing changed");

        // Bullet 1: modify config.json.
        p.WriteFile("config.json", Config.Replace("20", "30", StringComparison.Ordinal));
        CheckPlanSkippedRunRan(p.Build().AssertSuccess(), "config.json changed");
        Assert.AreEqual(30, JsonLength(p, "sin.json"), "The run step used the new config.json");

        // Bullet 2: delete one of the outputs.
        p.DeleteFile("sin.json");
        CheckPlanSkippedRunRan(p.Build().AssertSuccess(), "sin.json was deleted");
        Assert.IsTrue(p.FileExists("sin.json"), "The missing output is made again");

        // Bullet 3: a local module imported at the top of the script becomes an input of both steps.
        p.WriteFile("helper.py", Helper);
        p.WriteFile("generate.py", GenerateWithHelper, executable: true);
        CheckBothRan(p.Build().AssertSuccess(), "generate.py now imports helper.py");
        Assert.AreEqual(30, JsonLength(p, "cos.json"));

        p.Build("-t:StepUpGraph").AssertSuccess();
        var graph = p.ReadFile("graph.txt");
        foreach (var step in new[] { Plan, Run })
        {
            Assert.IsTrue(GraphFiles.Related(graph, "step:" + step, "consumes").Contains("file:helper.py"),
                $"step:{step} should consume file:helper.py in graph.txt:\n{graph}");
            Assert.IsTrue(GraphFiles.Related(graph, "file:helper.py", "supplies").Contains("step:" + step),
                $"file:helper.py should supply step:{step} in graph.txt:\n{graph}");
        }

        p.WriteFile("helper.py", Helper + "# a small change\n");
        CheckBothRan(p.Build().AssertSuccess(), "helper.py changed");
        CheckBothSkipped(p.Build().AssertSuccess(), "Nothing changed after the helper edit");

        // Without the import, helper.py is no input any more; it stays on disk (a static file is the user's).
        p.WriteFile("generate.py", Generate, executable: true);
        var noImport = p.Build().AssertSuccess("Removing the import should build fine");
        noImport.Check(noImport.Ran(Run), "generate.py changed: the run step should run");
        noImport.Check(!noImport.Removed("helper.py"), "helper.py is static: it is never removed");
        Assert.IsTrue(p.FileExists("helper.py"), "helper.py stays on disk");
        Assert.AreEqual(Helper + "# a small change\n", p.ReadFile("helper.py"));
        Assert.AreEqual(30, JsonLength(p, "cos.json"));
    }

    /// <summary>The driver with several cases (CASE_FMT, cases(), case_info()) and a step-info file.</summary>
    [TestMethod]
    public void SeveralCases_WithStepInfo_RunEachCase_ThenSkip()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("work.py", """
            #!/usr/bin/env python3
            from stepup.core.script import driver

            CASE_FMT = "{name} {count}"


            def cases():
                yield {"name": "alpha", "count": 2}
                yield {"name": "beta", "count": 3}


            def case_info(name, count):
                return {"out": "out/%s.txt" % name, "name": name, "count": count}


            def run(out, name, count):
                with open(out, "w") as fh:
                    fh.write((name + "\n") * count)


            if __name__ == "__main__":
                driver()

            """, executable: true);
        p.WriteSteps("""<Script Include="work.py" StepInfo="info.json" />""");

        const string plan = "./work.py plan --step-info=info.json";
        const string alpha = "./work.py run 'alpha 2'";
        const string beta = "./work.py run 'beta 3'";

        var first = p.Build().AssertSuccess();
        first.Check(first.Ran(plan) && first.Succeeded(plan), $"The plan step `{plan}` should run");
        first.Check(first.Ran(alpha) && first.Succeeded(alpha), $"The run step of the first case `{alpha}` should run");
        first.Check(first.Ran(beta) && first.Succeeded(beta), $"The run step of the second case `{beta}` should run");
        Assert.AreEqual("alpha\nalpha\n", p.ReadFile("out/alpha.txt"));
        Assert.AreEqual("beta\nbeta\nbeta\n", p.ReadFile("out/beta.txt"));

        Assert.IsTrue(p.FileExists("info.json"), "StepInfo=\"info.json\": the plan step writes info.json");
        using (var doc = JsonDocument.Parse(p.ReadFile("info.json")))
        {
            var root = doc.RootElement;
            Assert.AreEqual(JsonValueKind.Array, root.ValueKind, "info.json is a JSON list");
            Assert.AreEqual(2, root.GetArrayLength(), "info.json holds one object per run step");
            foreach (var info in root.EnumerateArray())
                foreach (var key in new[] { "command", "workdir", "inp", "out" })
                    Assert.IsTrue(info.TryGetProperty(key, out _), $"Each object in info.json has the key `{key}`:\n{root}");
            var commands = root.EnumerateArray().Select(i => i.GetProperty("command").GetString()).ToList();
            CollectionAssert.AreEquivalent(new[] { alpha, beta }, commands, "info.json describes the two run steps");
            var outs = root.EnumerateArray().SelectMany(i => i.GetProperty("out").EnumerateArray().Select(o => o.GetString())).ToList();
            CollectionAssert.AreEquivalent(new[] { "out/alpha.txt", "out/beta.txt" }, outs, "info.json lists the outputs of case_info()");
        }

        var second = p.Build().AssertSuccess();
        second.Check(!second.AnyStepStarted, "Nothing changed: no step should start");
        second.Check(second.Skipped(plan) && second.Skipped(alpha) && second.Skipped(beta), "All three steps should be SKIP");
    }

    /// <summary>`Optional="true"`: the plan step always runs, its run step only when something needs its output.</summary>
    [TestMethod]
    public void OptionalScript_RunsOnlyWhenItsOutputIsNeeded()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("opt.py", """
            #!/usr/bin/env python3
            from stepup.core.script import driver


            def info():
                return {"out": "opt.txt"}


            def run(out):
                with open(out, "w") as fh:
                    fh.write("optional\n")


            if __name__ == "__main__":
                driver()

            """, executable: true);
        const string script = """<Script Include="opt.py" Optional="true" />""";
        const string plan = "./opt.py plan --optional";
        const string run = "./opt.py run";
        p.WriteSteps(script);

        var first = p.Build().AssertSuccess();
        first.Check(first.Ran(plan) && first.Succeeded(plan), $"The plan step `{plan}` is never optional: it should run");
        first.Check(!first.Ran(run), "Nothing needs opt.txt: the optional run step should not start");
        Assert.IsFalse(p.FileExists("opt.txt"), "The optional output should not be made");

        p.WriteSteps(script, """<Step Include="use" Command="cat ${inp} &gt; ${out}" Inp="opt.txt" Out="copy.txt" />""");
        var second = p.Build().AssertSuccess();
        second.Check(second.Ran(run) && second.Succeeded(run), "A step now needs opt.txt: the optional run step should run");
        second.Check(second.Ran("use") && second.Succeeded("use"), "The consumer should run");
        var lines = second.Lines;
        var runDone = Array.FindIndex(lines, l => BuildResult.EventRegex("SUCCESS", run).IsMatch(l));
        var useStart = Array.FindIndex(lines, l => BuildResult.EventRegex("START", "use").IsMatch(l));
        second.Check(runDone >= 0 && useStart > runDone, "The consumer should start after the run step succeeded");
        Assert.AreEqual("optional\n", p.ReadFile("copy.txt"));
    }
}
