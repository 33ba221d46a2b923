using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>
/// The director's side of StepUp 4's API (docs/step-api.md, "StepUp 4 calls and fields"), as a
/// planning step of the fake runner sends it: steps without a shell, VAR=value overrides, the
/// step variables, patterns that are matched again, and held steps. (\u0024 is '$' in the JSON,
/// which keeps the planner from expanding the planning step's own command.)
/// </summary>
[TestClass]
public sealed class StepUp4ApiTests
{
    static ItemSpec Plan(string apiCalls, string? inp = null, int line = 3) =>
        Item.Step("plan", apiCalls, line: line, planning: "true", inp: inp);

    static string Api(string json) => "api '" + json + "'";

    [TestMethod]
    public async Task AStepWithoutAShell_RunsItsWords_ExpandsNothing_AndGetsItsOverrides()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(Plan(Api("""
            {"type":"api.step","command":"printenv GREETING","shell":false,"argv":["printenv","GREETING"],"placeholders":false,"envOverrides":{"GREETING":"hello \u0024HOME"}}
            """)))).AssertSuccess();
        r.AssertStarted("printenv GREETING");
        CollectionAssert.Contains(r.Events.Pages.ToList(), ("Standard output", "hello $HOME\n"),
            "The override reaches the program as written: no shell expands $HOME.\n" + r);
    }

    [TestMethod]
    public async Task AnOverride_IsPartOfTheHash()
    {
        using var p = new EngineProject();
        ItemSpec PlanWith(string value) => Plan(Api("""
            {"type":"api.step","command":"printenv NAME","shell":false,"argv":["printenv","NAME"],"envOverrides":{"NAME":"VALUE"}}
            """.Replace("VALUE", value)));
        (await p.BuildAsync(PlanWith("a"))).AssertSuccess().AssertStarted("printenv NAME");
        var same = (await p.BuildAsync(PlanWith("a"))).AssertSuccess();
        Assert.AreEqual(0, same.Summary.Ran, "Nothing changed: nothing runs.\n" + same);
        var changed = (await p.BuildAsync(PlanWith("b"))).AssertSuccess();
        changed.AssertStarted("printenv NAME");
        CollectionAssert.Contains(changed.Events.Pages.ToList(), ("Standard output", "b\n"), changed.ToString());
    }

    [TestMethod]
    public async Task AnOverrideOfAReservedOrListedVariable_IsRefused()
    {
        using var p = new EngineProject();
        var reserved = (await p.BuildAsync(Plan(Api("""
            {"type":"api.step","command":"true","shell":false,"argv":["true"],"envOverrides":{"HERE":"x"}}
            """)))).AssertFailure();
        Assert.IsTrue(reserved.Events.Pages.Any(pg => pg.Text.Contains("sets HERE, which StepUp sets for every step itself")), reserved.ToString());
        reserved.AssertNotStarted("true");

        var listed = (await p.BuildAsync(Plan(Api("""
            {"type":"api.step","command":"true","shell":false,"argv":["true"],"env":["MODE"],"envOverrides":{"MODE":"x"}}
            """)))).AssertFailure();
        Assert.IsTrue(listed.Events.Pages.Any(pg => pg.Text.Contains("both depends on variable MODE")), listed.ToString());
    }

    [TestMethod]
    public async Task ALocalProgram_IsAnInputOnlyWhenTheClientSaysSo_AndPlaceholdersStayWhenAsked()
    {
        // StepUp 4: run() declares its local program as an input, step() does not (a program it
        // runs need not be a file of the project); the director adds nothing of its own.
        using var p = new EngineProject();
        p.Write("sub/tool.sh", "#!/bin/sh\n");
        var r = (await p.BuildAsync(Plan(Api("""
            {"type":"api.static","paths":["sub/tool.sh"]}
            """) + "; " + Api("""
            {"type":"api.step","command":"./tool.sh \u0024{inp}","workdir":"sub","shell":false,"argv":["./tool.sh","\u0024{inp}"],"placeholders":false,"inp":["tool.sh"]}
            """) + "; " + Api("""
            {"type":"api.step","command":"./tool.sh","workdir":"sub","shell":false,"argv":["./tool.sh"]}
            """))));
        // The fake runner has no ./tool.sh (the steps fail), so the steps are known by their answers: label and inputs.
        Assert.IsTrue(r.Events.Succeeded("plan"), r.ToString());
        var answers = r.Events.Pages.Where(pg => pg.Text.Contains("\"label\"")).Select(pg => pg.Text).Single().Split('\n');
        var declared = answers.Single(a => a.Contains("\"label\":\"./tool.sh ${inp}  # wd=sub\""));
        StringAssert.Contains(declared, "\"inp\":[\"tool.sh\"]", "The program the client declares, a path relative to the workdir, is an input.");
        var bare = answers.Single(a => a.Contains("\"label\":\"./tool.sh  # wd=sub\""));
        StringAssert.Contains(bare, "\"inp\":[]", "The director adds no input of its own.");
    }

    [TestMethod]
    public async Task EveryStep_KnowsItsNeed_ItsPlace_AndAFixedEpoch()
    {
        using var p = new EngineProject();
        p.Env.Remove("SOURCE_DATE_EPOCH");
        var r = (await p.BuildAsync(Plan(Api("""
            {"type":"api.step","command":"printenv STEPUP_STEP_NEED HERE ROOT SOURCE_DATE_EPOCH","workdir":"a/b","shell":false,"argv":["printenv","STEPUP_STEP_NEED","HERE","ROOT","SOURCE_DATE_EPOCH"]}
            """) + " && printenv STEPUP_STEP_NEED"))).AssertSuccess();
        var pages = r.Events.Pages.Select(pg => pg.Text).ToList();
        Assert.IsTrue(pages.Any(t => t.EndsWith("PLAN\n")), "The planning step is PLAN.\n" + r);
        CollectionAssert.Contains(pages, "DEFAULT\na/b\n../..\n315532800\n", r.ToString());
    }

    [TestMethod]
    public async Task APattern_IsMatchedAgain_AndANewMatchRunsItsStepAgain()
    {
        using var p = new EngineProject();
        p.Write("data/a.txt", "a");
        var plan = Plan(Api("""
            {"type":"api.glob","pattern":"data/${*name}.txt","subs":{"name":"[a-z]"},"paths":["data/a.txt"]}
            """.Replace("$", "\\u0024")));
        var first = (await p.BuildAsync(plan)).AssertSuccess();
        first.AssertStarted("plan");
        var warning = first.Single(StepUp.Codes.GlobMatchNotStatic);
        StringAssert.Contains(warning.Message, "1 glob match(es) are not declared static: data/a.txt");

        var same = await p.BuildAsync(plan);
        same.AssertNotStarted("plan");

        p.Write("data/b.txt", "b");
        p.Write("data/long.txt", "not a match of [a-z]");
        var added = await p.BuildAsync(plan);
        added.AssertStarted("plan");

        p.Write("data/zz.txt", "no match either");
        (await p.BuildAsync(plan)).AssertNotStarted("plan");
    }

    [TestMethod]
    public async Task StaticPatterns_DeclareTheirMatches_AndAreMatchedAgain()
    {
        using var p = new EngineProject();
        p.Write("src/one.txt", "1");
        var plan = Plan(Api("""
            {"type":"api.static","paths":["src/one.txt"],"patterns":[{"pattern":"src/*.txt","paths":["src/one.txt"]}]}
            """));
        var first = (await p.BuildAsync(plan)).AssertSuccess();
        Assert.AreEqual(0, first.Events.WithCode(StepUp.Codes.GlobMatchNotStatic).Count, "Static matches need no warning.\n" + first);
        p.Write("src/two.txt", "2");
        (await p.BuildAsync(plan)).AssertSuccess().AssertStarted("plan");
    }

    [TestMethod]
    public async Task APatternThatMatchesAnOutput_IsAnError_WhicheverComesFirst()
    {
        using var p = new EngineProject();
        p.Write("made.txt", "old");
        var globFirst = (await p.BuildAsync(Plan(Api("""
            {"type":"api.glob","pattern":"*.txt","paths":["made.txt"]}
            """) + "; " + Api("""
            {"type":"api.step","command":"echo","out":["made.txt"]}
            """)))).AssertFailure();
        // In StepUp 4's words, the same in both orders (scripts written for StepUp grep for them).
        Assert.IsTrue(globFirst.Events.Pages.Any(pg => pg.Text.Contains("Glob pattern (*.txt) registered by step (plan) matches (made.txt), which step (echo) builds.")),
            globFirst.ToString());

        using var q = new EngineProject();
        var outputFirst = (await q.BuildAsync(
            Item.Step("maker", "echo made > ${out}", line: 3, @out: "made.txt"),
            Item.Step("plan", "wait-for maker; " + Api("""{"type":"api.glob","pattern":"*.txt"}"""), line: 4, planning: "true", inp: "made.txt"))).AssertFailure();
        Assert.IsTrue(outputFirst.Events.Pages.Any(pg => pg.Text.Contains("Glob pattern (*.txt) registered by step (plan) matches (made.txt), which step (maker) builds.")),
            outputFirst.ToString());
        var stateFolder = (await q.BuildAsync(Item.Step("lister", Api("""{"type":"api.glob","pattern":"*"}"""), line: 3, planning: "true"))).AssertFailure();
        Assert.IsTrue(stateFolder.Events.Pages.Any(pg => pg.Text.Contains("Glob pattern (*) matches a path under .stepup: .stepup/")), stateFolder.ToString());
    }

    [TestMethod]
    public async Task ATargetThatIsStaticOrVolatile_IsRefused()
    {
        using var p = new EngineProject();
        p.Write("in.txt", "x\n");
        ItemSpec[] items = [Item.Static("in.txt"), Item.Step("copy", "cat ${inp} > ${out}", line: 3, inp: "in.txt", @out: "out.txt")];
        (await p.BuildAsync(items)).AssertSuccess();
        var known = (await p.BuildAsync(items, new BuildOptions { Jobs = 1, Targets = ["in.txt"] })).AssertFailure();
        Assert.AreEqual("Invalid build target: A build target cannot be a static file: in.txt", known.Single(Codes.InvalidTarget).Message);
        Assert.AreEqual(0, known.Events.Tagged("START").Count, "nothing runs\n" + known);

        using var q = new EngineProject();
        var declared = (await q.BuildAsync([Plan(Api("""{"type":"api.step","command":"touch vol.txt","vol":["vol.txt"]}"""))],
            new BuildOptions { Jobs = 1, Targets = ["vol.txt"] })).AssertFailure();
        Assert.IsTrue(declared.Events.Failed("plan"), declared.ToString());
        StringAssert.Contains(declared.Single(Codes.StepCallRefused).Message, "A build target cannot be a volatile output: vol.txt");
        Assert.IsFalse(q.Exists("vol.txt"));
    }

    [TestMethod]
    public async Task AStepDeferredMoreOftenThanTheCap_OverSeveralBuilds_Fails()
    {
        using var p = new EngineProject();
        ItemSpec[] items = [Item.Step("waiter", Api("""{"type":"api.amend","inp":["never.txt"]}"""), line: 3)];
        var options = new BuildOptions { Jobs = 1, DeferCap = 2 };
        for (var build = 1; build <= 2; build++)
        {
            var deferred = await p.BuildAsync(items, options);
            CollectionAssert.Contains(deferred.Events.Lines.ToList(), ("DEFERRED", "waiter"), $"build {build}: within the cap\n{deferred}");
            Assert.IsFalse(deferred.Events.Failed("waiter"), deferred.ToString());
        }
        var capped = (await p.BuildAsync(items, options)).AssertFailure();
        Assert.IsTrue(capped.Events.Failed("waiter"), "the third deferral since its last success is one too many\n" + capped);
        Assert.IsTrue(capped.Events.Pages.Any(pg => pg.Title == "Deferred more than 2 times"), capped.ToString());
        CollectionAssert.Contains(capped.Events.Pages.ToList(), ("Unavailable dynamic inputs", "never.txt"), capped.ToString());
    }

    [TestMethod]
    public async Task HeldSteps_WaitForTheRelease_ThenStartLongestFirst()
    {
        using var p = new EngineProject();
        static string Step(string name, double duration) =>
            Api($$"""{"type":"api.step","command":"echo {{name}}","shell":false,"argv":["echo","{{name}}"],"duration":{{duration}}}""");
        var r = (await p.BuildAsync(new[]
        {
            Plan(Api("""{"type":"api.hold"}""") + "; " + Step("fast", 1) + "; " + Step("medium", 2) + "; " + Step("slow", 5) + "; " +
                Api("""{"type":"api.release"}""")),
        }, new BuildOptions { Jobs = 2 })).AssertSuccess();
        var starts = r.Events.Tagged("START").Where(s => s != "plan").ToList();
        CollectionAssert.AreEqual(new[] { "echo slow", "echo medium", "echo fast" }, starts,
            "With a free job slot, nothing starts while held; then the longest goes first.\n" + r);
    }

    [TestMethod]
    public async Task WithoutAHold_ADefinedStepStartsAtOnce()
    {
        // The other side of the test above: it shows the hold is what kept the slot free.
        using var p = new EngineProject();
        var r = (await p.BuildAsync(new[]
        {
            Plan(Api("""{"type":"api.step","command":"echo fast","shell":false,"argv":["echo","fast"],"duration":1}""") + "; " +
                Api("""{"type":"api.step","command":"echo slow","shell":false,"argv":["echo","slow"],"duration":5}""")),
        }, new BuildOptions { Jobs = 2 })).AssertSuccess();
        Assert.AreEqual("echo fast", r.Events.Tagged("START").First(s => s != "plan"), r.ToString());
    }

    [TestMethod]
    public async Task AHeldStepThatIsUpToDate_IsSkippedAtOnce_ANewOneWaits()
    {
        using var p = new EngineProject();
        p.Write("in.txt", "x");
        const string hold = """api '{"type":"api.hold"}'; """;
        const string old = """api '{"type":"api.step","command":"cat in.txt","shell":false,"argv":["cat","in.txt"],"inp":["in.txt"]}'""";
        const string added = """; api '{"type":"api.step","command":"echo new","shell":false,"argv":["echo","new"]}'""";
        (await p.BuildAsync(Item.Static("in.txt"), Plan(hold + old))).AssertSuccess().AssertStarted("cat in.txt");

        // The plan holds and never releases: its steps wait until it ends, unless they can be skipped.
        var r = (await p.BuildAsync(Item.Static("in.txt"), Plan(hold + old + added))).AssertSuccess();
        var lines = r.Events.Lines.ToList();
        var planDone = lines.IndexOf(("SUCCESS", "plan"));
        Assert.IsTrue(lines.IndexOf(("SKIP", "cat in.txt")) is >= 0 and var skip && skip < planDone, "The unchanged step is skipped while held.\n" + r);
        Assert.IsTrue(lines.IndexOf(("START", "echo new")) > planDone, "The new step waits until the hold ends with its step.\n" + r);
    }

    [TestMethod]
    public async Task ARecordedCommand_IsAcceptedAndChangesNothing()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(Item.Step("tool", Api("""
            {"type":"api.record","command":"ls -l","returncode":0,"workdir":".","shell":false,"stdout":"total 0\n"}
            """), line: 3))).AssertSuccess();
        r.AssertStarted("tool");
    }

    [TestMethod]
    public async Task AStaticFolder_IsTheSoleOwnerOfItsFiles_WhicheverOfTwoStepsComesFirst()
    {
        foreach (var folderFirst in new[] { true, false })
        {
            using var p = new EngineProject();
            p.Write("data/foo.txt", "foo");
            var folder = Api("""{"type":"api.static","paths":["data/"]}""");
            var file = Api("""{"type":"api.static","paths":["data/foo.txt"]}""");
            var r = (await p.BuildAsync([
                Item.Step("first", folderFirst ? folder : file, line: 3, planning: "true"),
                Item.Step("second", folderFirst ? file : folder, line: 4, planning: "true"),
            ], new BuildOptions { Jobs = 1 })).AssertFailure();
            Assert.IsTrue(r.Events.Succeeded("first") && r.Events.Failed("second"), r.ToString());
            Assert.IsTrue(r.Events.Pages.Any(pg => pg.Text.Contains("sole owner") && pg.Text.Contains("'data/foo.txt'")), r.ToString());
        }
    }

    [TestMethod]
    public async Task OneStepsFileThenItsFolder_HandsTheFileToTheFolder_InTheGraph()
    {
        using var p = new EngineProject();
        p.Write("data/foo.txt", "foo");
        p.Write("data/sub/bar.txt", "bar");
        (await p.BuildAsync(Plan(Api("""{"type":"api.static","paths":["data/foo.txt"]}""") + " && " +
            Api("""{"type":"api.static","paths":["data/"]}""") + " && " + Api("""{"type":"api.static","paths":["data/sub/"]}""")))).AssertSuccess();
        await p.Session.WriteGraphAsync("graph", new RecordingEvents(), CancellationToken.None);
        var text = p.Read("graph.txt");
        StringAssert.Contains(text, "file:data/foo.txt\n               state = STATIC\n", text);
        StringAssert.Contains(text, "             creator   st:data/\n", text);
        StringAssert.Contains(text, "\nst:data/\n             creator   step:plan\n             creates   file:data/foo.txt\n             creates   file:data/sub/bar.txt\n", text);
        Assert.AreEqual(1, text.Split('\n').Count(line => line.StartsWith("st:", StringComparison.Ordinal)), "A folder inside a static folder is no node of its own.\n" + text);
    }

    [TestMethod]
    public async Task TheProjectRoot_IsNoStaticFolder()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(Plan(Api("""{"type":"api.static","paths":["./"]}""")))).AssertFailure();
        Assert.IsTrue(r.Events.Pages.Any(pg => pg.Text.Contains("cannot be the project root")), r.ToString());
    }
}
