using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>Running and skipping: what makes a step run again, and how failures are reported.</summary>
[TestClass]
public sealed class BuildTests
{
    // Edits in these tests change a file's size: a same-size edit within one timestamp tick could
    // keep all stat data equal, which the stat shortcut cannot see (see PersistenceTests for that case).

    [TestMethod]
    public async Task FirstBuildRuns_SecondSkips()
    {
        using var p = new EngineProject();
        ItemSpec[] items =
        [
            Item.Step("story", "echo First line. > ${out}; echo Second line. >> ${out}", line: 3, @out: "story.txt"),
            Item.Step("grep", "grep First ${inp}", line: 4, inp: "story.txt"),
        ];

        var first = (await p.BuildAsync(items)).AssertSuccess();
        first.AssertStarted("story", "grep");
        Assert.IsTrue(first.Events.Succeeded("story") && first.Events.Succeeded("grep"), first.ToString());
        Assert.AreEqual(2, first.Summary.Ran);
        Assert.AreEqual(0, first.Summary.Skipped);
        Assert.AreEqual("First line.\nSecond line.\n", p.Read("story.txt"));
        var grepOut = first.Events.Pages.Where(pg => pg.Title == "Standard output").Select(pg => pg.Text).ToList();
        CollectionAssert.Contains(grepOut, "First line.\n", first.ToString());
        // grep runs after story: its START comes after story's SUCCESS.
        var lines = first.Events.Lines.ToList();
        Assert.IsTrue(lines.IndexOf(("SUCCESS", "story")) < lines.IndexOf(("START", "grep")), first.ToString());

        var second = await p.BuildAsync(items);
        second.AssertNothingRan(2);
        second.AssertSkipped("story", "grep");
        Assert.AreEqual("StepUp: 0 ran, 2 skipped, 0 failed, 0 removed", second.Summary.Counts);
        StringAssert.StartsWith(second.Summary.ToString(), second.Summary.Counts + " (build 2); report: ", "The summary line gives the build number, then the report");
    }

    [TestMethod]
    public async Task EditingAStaticInput_RerunsItsConsumerOnly()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "one\n");
        ItemSpec[] items =
        [
            Item.Static("a.txt"),
            Item.Step("useA", "cat ${inp} > ${out}", inp: "a.txt", @out: "a.out"),
            Item.Step("other", "echo other > ${out}", @out: "o.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        p.Write("a.txt", "one\ntwo\n");
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("useA");
        r.AssertSkipped("other");
        Assert.AreEqual(1, r.Summary.Ran);
        Assert.AreEqual(1, r.Summary.Skipped);
        Assert.AreEqual("one\ntwo\n", p.Read("a.out"));
    }

    [TestMethod]
    public async Task ASameSizeEditOfAStaticInput_RerunsItsConsumer()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "aaa\n");
        ItemSpec[] items =
        [
            Item.Static("a.txt"),
            Item.Step("useA", "cat ${inp} > ${out}", inp: "a.txt", @out: "a.out"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        // Same size, same inode, and a modification time that is certainly different.
        p.Write("a.txt", "bbb\n");
        File.SetLastWriteTimeUtc(p.FullPath("a.txt"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("useA");
        Assert.AreEqual("bbb\n", p.Read("a.out"));
    }

    [TestMethod]
    public async Task AProducerThatWritesADifferentOutputOfTheSameSize_RerunsItsConsumer()
    {
        using var p = new EngineProject();
        p.Env["STEPUP_TEST_WORD"] = "aaa";
        ItemSpec[] items =
        [
            Item.Step("producer", "echo $STEPUP_TEST_WORD > ${out}", env: "STEPUP_TEST_WORD", @out: "mid.txt"),
            Item.Step("consumer", "cat ${inp} > ${out}", inp: "mid.txt", @out: "fin.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        p.Env["STEPUP_TEST_WORD"] = "bbb";
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("producer", "consumer");
        Assert.AreEqual("bbb\n", p.Read("fin.txt"));
    }

    [TestMethod]
    public async Task AProducerThatWritesTheSameOutput_LeavesItsConsumerSkipped()
    {
        using var p = new EngineProject();
        p.Write("cfg.txt", "head\n");
        ItemSpec[] items =
        [
            Item.Static("cfg.txt"),
            Item.Step("producer", "head -n 1 ${inp} > ${out}", inp: "cfg.txt", @out: "mid.txt"),
            Item.Step("consumer", "cat ${inp} > ${out}", inp: "mid.txt", @out: "fin.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        p.Write("cfg.txt", "head\ntail\n");
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("producer");
        r.AssertSkipped("consumer");
        Assert.AreEqual("head\n", p.Read("fin.txt"));
    }

    [TestMethod]
    public async Task AProducerThatWritesADifferentOutput_RerunsItsConsumer()
    {
        using var p = new EngineProject();
        p.Write("cfg.txt", "head\n");
        ItemSpec[] items =
        [
            Item.Static("cfg.txt"),
            Item.Step("producer", "cat ${inp} > ${out}", inp: "cfg.txt", @out: "mid.txt"),
            Item.Step("consumer", "cat ${inp} > ${out}", inp: "mid.txt", @out: "fin.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        p.Write("cfg.txt", "head\ntail\n");
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("producer", "consumer");
        Assert.AreEqual("head\ntail\n", p.Read("fin.txt"));
    }

    [TestMethod]
    public async Task DeletingAnOutput_RerunsItsProducer()
    {
        using var p = new EngineProject();
        ItemSpec[] items =
        [
            Item.Step("make", "echo made > ${out}", @out: "made.txt"),
            Item.Step("use", "cat ${inp} > ${out}", inp: "made.txt", @out: "used.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();

        File.Delete(p.FullPath("made.txt"));
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("make");
        r.AssertSkipped("use");
        Assert.AreEqual("made\n", p.Read("made.txt"));
    }

    [TestMethod]
    public async Task EditingAnOutput_RerunsItsProducer()
    {
        using var p = new EngineProject();
        ItemSpec[] items = [Item.Step("make", "echo made > ${out}", @out: "made.txt")];
        (await p.BuildAsync(items)).AssertSuccess();

        p.Write("made.txt", "edited by hand\n");
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("make");
        Assert.AreEqual("made\n", p.Read("made.txt"));
    }

    [TestMethod]
    public async Task ListedEnvVariable_RerunsWhenItChanges_UnlistedDoesNot()
    {
        using var p = new EngineProject();
        p.Env["STEPUP_TEST_LISTED"] = "one";
        p.Env["STEPUP_TEST_UNLISTED"] = "a";
        ItemSpec[] items =
        [
            Item.Step("env", "echo $STEPUP_TEST_LISTED > ${out}", env: "STEPUP_TEST_LISTED", @out: "env.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();
        Assert.AreEqual("one\n", p.Read("env.txt"));

        p.Env["STEPUP_TEST_UNLISTED"] = "b";
        (await p.BuildAsync(items)).AssertNothingRan(1);

        p.Env["STEPUP_TEST_LISTED"] = "two";
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("env");
        Assert.AreEqual("two\n", p.Read("env.txt"));

        p.Env.Remove("STEPUP_TEST_LISTED");
        var unset = (await p.BuildAsync(items)).AssertSuccess();
        unset.AssertStarted("env");
    }

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ExecutableBitChangeOfAnInput_Reruns()
    {
        using var p = new EngineProject();
        p.Write("tool.sh", "echo tool\n");
        ItemSpec[] items =
        [
            Item.Static("tool.sh"),
            Item.Step("use", "cat ${inp} > ${out}", inp: "tool.sh", @out: "tool.out"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();
        (await p.BuildAsync(items)).AssertNothingRan(1);

        var path = p.FullPath("tool.sh");
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("use");
        (await p.BuildAsync(items)).AssertNothingRan(1);
    }

    [TestMethod]
    public async Task AFailingStep_FailsTheBuild_AndItsDependentsDoNotRun()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            Item.Step("bad", "echo oops >&2; exit 3", line: 7, @out: "bad.txt"),
            Item.Step("after", "cat ${inp} > ${out}", line: 8, inp: "bad.txt", @out: "after.txt"))).AssertFailure();
        Assert.IsTrue(r.Events.Failed("bad"), r.ToString());
        r.AssertNotStarted("after");
        var d = r.Single(Codes.StepFailed);
        Assert.AreEqual(Severity.Error, d.Severity);
        StringAssert.Contains(d.Message, "exit code 3");
        StringAssert.Contains(d.Message, "bad");
        Assert.AreEqual(Item.At(7), d.Location);
        Assert.AreEqual(1, r.Summary.Failed);
        Assert.AreEqual(0, r.Summary.Ran);
        CollectionAssert.Contains(r.Events.Pages.ToList(), ("Standard error", "oops\n"), r.ToString());
        Assert.AreEqual(0, r.Events.WithCode(Codes.MissingInput).Count, "A step waiting for a failed producer is not a missing input.\n" + r);

        // A failed step is not up to date: the next build tries it again.
        var again = (await p.BuildAsync(
            Item.Step("bad", "echo oops >&2; exit 3", line: 7, @out: "bad.txt"),
            Item.Step("after", "cat ${inp} > ${out}", line: 8, inp: "bad.txt", @out: "after.txt"))).AssertFailure();
        again.AssertStarted("bad");
    }

    [TestMethod]
    public async Task WithoutKeepGoing_NothingStartsAfterAFailure()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            [
                Item.Step("bad", "exit 1", line: 3),
                Item.Step("independent", "echo x > ${out}", line: 4, @out: "x.txt"),
            ],
            new BuildOptions { Jobs = 1 })).AssertFailure();
        r.AssertStarted("bad");
        r.AssertNotStarted("independent");
        Assert.IsFalse(p.Exists("x.txt"));
    }

    [TestMethod]
    public async Task KeepGoing_RunsIndependentSteps()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            [
                Item.Step("bad", "exit 1", line: 3, @out: "bad.txt"),
                Item.Step("dependent", "cat ${inp} > ${out}", line: 4, inp: "bad.txt", @out: "dep.txt"),
                Item.Step("independent", "echo x > ${out}", line: 5, @out: "x.txt"),
            ],
            new BuildOptions { Jobs = 1, KeepGoing = true })).AssertFailure();
        r.AssertStarted("bad", "independent");
        r.AssertNotStarted("dependent");
        Assert.IsTrue(r.Events.Succeeded("independent"), r.ToString());
        Assert.IsTrue(p.Exists("x.txt"));
        Assert.AreEqual(1, r.Summary.Failed);
        Assert.AreEqual(1, r.Summary.Ran);
        Assert.AreEqual(1, r.Summary.NotRun);
    }

    [TestMethod]
    public async Task AnOutputNotCreated_FailsTheStep()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            Item.Step("lazy", "echo nothing", line: 6, @out: "promised.txt;made.txt"),
            Item.Step("next", "cat ${inp}", line: 7, inp: "promised.txt"))).AssertFailure();
        Assert.IsTrue(r.Events.Failed("lazy"), r.ToString());
        var d = r.Single(Codes.OutputsNotCreated);
        StringAssert.Contains(d.Message, "promised.txt");
        StringAssert.Contains(d.Message, "lazy");
        Assert.AreEqual(Item.At(6), d.Location);
        Assert.AreEqual(0, r.Events.WithCode(Codes.StepFailed).Count, "Exit code 0 is not reported as a failed command.\n" + r);
        r.AssertNotStarted("next");
    }

    [TestMethod]
    public async Task AStepModifyingItsOwnInput_Fails()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "one\n");
        var r = (await p.BuildAsync(
            Item.Static("a.txt"),
            Item.Step("vandal", "echo more >> ${inp}", line: 5, inp: "a.txt"))).AssertFailure();
        Assert.IsTrue(r.Events.Failed("vandal"), r.ToString());
        var d = r.Single(Codes.InputChanged);
        StringAssert.Contains(d.Message, "a.txt");
        StringAssert.Contains(d.Message, "vandal");
        Assert.AreEqual(Item.At(5), d.Location);
        CollectionAssert.Contains(r.Events.Lines.ToList(), ("ERROR", "The scheduler is draining due to unexpected input changes."), r.ToString());
        Assert.AreEqual("one\nmore\n", p.Read("a.txt"), "StepUp does not undo what a step did to a static file");
    }

    [TestMethod]
    public async Task AnInputChangedByAnotherStep_FailsItsConsumerWithoutRunningIt_AndDrainsTheBuild()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "one\n");
        var r = (await p.BuildAsync(
        [
            Item.Static("a.txt"),
            Item.Step("vandal", "echo more >> a.txt; echo done > ${out}", line: 3, @out: "v.txt"),
            Item.Step("reader", "cat a.txt v.txt > ${out}", line: 4, inp: "a.txt;v.txt", @out: "r.txt"),
        ], new BuildOptions { Jobs = 1, KeepGoing = true })).AssertFailure();
        r.AssertNotStarted("reader");
        Assert.IsTrue(r.Events.Failed("reader"), r.ToString());
        var d = r.Single(Codes.InputChanged);
        StringAssert.Contains(d.Message, "a.txt");
        Assert.AreEqual(Item.At(4), d.Location);
        CollectionAssert.Contains(r.Events.Lines.ToList(), ("ERROR", "The scheduler is draining due to unexpected input changes."), r.ToString());
        Assert.IsFalse(p.Exists("r.txt"), "the reader never read the changed file");
    }

    [TestMethod]
    public async Task AStepModifyingAnInputMadeByAnotherStep_Fails_AndTheProducerRunsAgainNextTime()
    {
        using var p = new EngineProject();
        ItemSpec[] items =
        [
            Item.Step("make", "echo made > ${out}", line: 3, @out: "made.txt"),
            Item.Step("vandal", "echo more >> ${inp}", line: 4, inp: "made.txt"),
        ];
        var r = (await p.BuildAsync(items)).AssertFailure();
        Assert.AreEqual(Item.At(4), r.Single(Codes.InputChanged).Location);

        var next = (await p.BuildAsync(items)).AssertFailure();
        next.AssertStarted("make", "vandal");
    }

    [TestMethod]
    public async Task AnInputNeitherStaticNorProduced_IsReported()
    {
        using var p = new EngineProject();
        p.Write("exists-but-undeclared.txt", "x");
        var r = (await p.BuildAsync(
            Item.Step("fine", "echo ok > ${out}", line: 3, @out: "ok.txt"),
            Item.Step("needy", "cat ${inp}", line: 4, inp: "ghost.txt;exists-but-undeclared.txt"))).AssertFailure();
        r.AssertNotStarted("needy");
        var d = r.Single(Codes.MissingInput);
        Assert.AreEqual(Item.At(4), d.Location);
        StringAssert.Contains(d.Message, "needy");
        StringAssert.Contains(d.Message, "ghost.txt");
        StringAssert.Contains(d.Message, "exists-but-undeclared.txt");
        Assert.AreEqual(1, r.Summary.NotRun);
        Assert.IsTrue(r.Events.Succeeded("fine"), "Other steps still run.\n" + r);

        // Declaring the files static lets the step run.
        p.Write("ghost.txt", "boo");
        var fixedBuild = (await p.BuildAsync(
            Item.Static("ghost.txt"),
            Item.Static("exists-but-undeclared.txt"),
            Item.Step("fine", "echo ok > ${out}", line: 3, @out: "ok.txt"),
            Item.Step("needy", "cat ${inp}", line: 4, inp: "ghost.txt;exists-but-undeclared.txt"))).AssertSuccess();
        fixedBuild.AssertStarted("needy");
        fixedBuild.AssertSkipped("fine");
    }

    [TestMethod]
    public async Task AStaticInputThatIsDeleted_MakesItsStepWaitAndFail()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "a");
        ItemSpec[] items = [Item.Static("a.txt"), Item.Step("use", "cat ${inp} > ${out}", inp: "a.txt", @out: "b.txt")];
        (await p.BuildAsync(items)).AssertSuccess();
        File.Delete(p.FullPath("a.txt"));
        var r = (await p.BuildAsync(items)).AssertFailure();
        Assert.AreEqual(1, r.Events.WithCode(Codes.MissingStatic).Count, r.ToString());
        r.AssertNotStarted("use");
    }

    [TestMethod]
    public async Task AnOptionalStep_RunsOnlyWhenNeeded()
    {
        using var p = new EngineProject();
        var optional = Item.Step("opt", "echo opt > ${out}", line: 3, @out: "opt.txt", optional: "true");
        var other = Item.Step("other", "echo other > ${out}", line: 4, @out: "other.txt");

        var alone = (await p.BuildAsync(optional, other)).AssertSuccess();
        alone.AssertNotStarted("opt");
        Assert.IsFalse(alone.Events.SkippedStep("opt"), "An unneeded optional step is neither run nor skipped.\n" + alone);
        Assert.IsFalse(p.Exists("opt.txt"));

        var needed = (await p.BuildAsync(optional, other,
            Item.Step("use", "cat ${inp} > ${out}", line: 5, inp: "opt.txt", @out: "use.txt"))).AssertSuccess();
        needed.AssertStarted("opt", "use");
        needed.AssertSkipped("other");
        Assert.AreEqual("opt\n", p.Read("use.txt"));
    }

    [TestMethod]
    public async Task AnOptionalStepNoLongerNeeded_GoesBackToPending_AndLosesItsUneditedOutputs()
    {
        // StepUp's automatic cleaning of optional steps: what is on disk is what the workflow needs.
        using var p = new EngineProject();
        var optional = Item.Step("opt", "echo opt > ${out} && echo v > ${vol}", line: 3, @out: "opt/opt.txt", vol: "opt.log", optional: "true");
        var edited = Item.Step("kept", "echo kept > ${out}", line: 4, @out: "kept.txt", optional: "true");
        var use = Item.Step("use", "cat ${inp} > ${out}", line: 5, inp: "opt/opt.txt;kept.txt", @out: "use.txt");

        (await p.BuildAsync(optional, edited, use)).AssertSuccess().AssertStarted("opt", "kept", "use");
        p.Write("kept.txt", "edited by hand\n");

        var unneeded = (await p.BuildAsync(optional, edited)).AssertSuccess();
        Assert.IsFalse(p.Exists("opt/opt.txt"), unneeded.ToString());
        Assert.IsFalse(p.Exists("opt.log"), "A volatile output of a reverted step is removed too.\n" + unneeded);
        Assert.IsFalse(Directory.Exists(p.FullPath("opt")), "The folder the step's output made is removed with it.\n" + unneeded);
        Assert.AreEqual("edited by hand\n", p.Read("kept.txt"), "An edited output is never removed.");
        Assert.AreEqual(1, unneeded.Events.WithCode(Codes.EditedOutputKept).Count, unneeded.ToString());
        Assert.IsTrue(unneeded.Events.Tagged("DIRECTOR").Any(t => t.StartsWith("Reverted 1 optional step(s)", StringComparison.Ordinal)), unneeded.ToString());

        var again = (await p.BuildAsync(optional, edited)).AssertSuccess();
        again.AssertNotStarted("opt", "kept");
        Assert.AreEqual(0, again.Events.Tagged("REMOVE").Count, "A reverted step is not reverted again.\n" + again);

        var neededAgain = (await p.BuildAsync(optional, Item.Step("use2", "cat ${inp} > ${out}", line: 6, inp: "opt/opt.txt", @out: "use2.txt"))).AssertSuccess();
        neededAgain.AssertStarted("opt", "use2");
        Assert.AreEqual("opt\n", p.Read("use2.txt"));
    }

    [TestMethod]
    public async Task AnOptionalChain_RunsOnlyTheNeededPart()
    {
        using var p = new EngineProject();
        var r = (await p.BuildAsync(
            Item.Step("o1", "echo 1 > ${out}", @out: "o1.txt", optional: "true"),
            Item.Step("o2", "cat ${inp} > ${out}", inp: "o1.txt", @out: "o2.txt", optional: "true"),
            Item.Step("o3", "echo 3 > ${out}", @out: "o3.txt", optional: "true"),
            Item.Step("main", "cat ${inp} > ${out}", inp: "o2.txt", @out: "main.txt"))).AssertSuccess();
        r.AssertStarted("o1", "o2", "main");
        r.AssertNotStarted("o3");
    }

    [TestMethod]
    public async Task Targets_BuildOnlyWhatTheyNeed_AndCleanNothing()
    {
        using var p = new EngineProject();
        var a = Item.Step("a", "echo a > ${out}", line: 3, @out: "a.txt");
        var b = Item.Step("b", "cat ${inp} > ${out}", line: 4, inp: "a.txt", @out: "b.txt");
        var c = Item.Step("c", "echo c > ${out}", line: 5, @out: "c.txt");
        var d = Item.Step("d", "echo d > ${out}", line: 6, @out: "d.txt");

        var targeted = (await p.BuildAsync([a, b, c, d], new BuildOptions { Jobs = 2, Targets = ["b.txt"] })).AssertSuccess();
        targeted.AssertStarted("a", "b");
        targeted.AssertNotStarted("c", "d");
        Assert.IsTrue(p.Exists("b.txt"));
        Assert.IsFalse(p.Exists("c.txt"));

        (await p.BuildAsync(a, b, c, d)).AssertSuccess().AssertStarted("c", "d");
        Assert.IsTrue(p.Exists("d.txt"));

        // d is no longer defined, but a build restricted to targets does not clean up.
        var restricted = (await p.BuildAsync([a, b, c], new BuildOptions { Jobs = 2, Targets = ["c.txt"] })).AssertSuccess();
        restricted.AssertSkipped("c");
        restricted.AssertNotStarted("a", "b");
        Assert.IsTrue(p.Exists("d.txt"), "No orphan cleanup in a build restricted to targets.\n" + restricted);
        Assert.AreEqual(0, restricted.Events.Tagged("REMOVE").Count, restricted.ToString());
        Assert.AreEqual(0, restricted.Summary.Removed);
        Assert.IsTrue(restricted.Events.Tagged("DIRECTOR").Any(t => t.Contains("StepUpTargets")), restricted.ToString());

        var full = (await p.BuildAsync(a, b, c)).AssertSuccess();
        Assert.IsTrue(full.Events.RemovedFile("d.txt"), full.ToString());
        Assert.IsFalse(p.Exists("d.txt"));
    }

    [TestMethod]
    public async Task ATargetThatNoStepMakes_IsAWarning()
    {
        using var p = new EngineProject();
        var r = await p.BuildAsync([Item.Step("a", "echo a > ${out}", @out: "a.txt")], new BuildOptions { Jobs = 2, Targets = ["nope.txt"] });
        var d = r.Single(Codes.TargetNotProduced);
        Assert.AreEqual(Severity.Warning, d.Severity);
        StringAssert.Contains(d.Message, "nope.txt");
        r.AssertNotStarted("a");
    }

    [TestMethod]
    public async Task ABuildWithTargets_StillRunsEveryPlanningStep()
    {
        // StepUp 4: what a planning step defines may make a target, so it always runs.
        using var p = new EngineProject();
        var r = await p.BuildAsync([
            Item.Step("plan", "echo planned", planning: "true"),
            Item.Step("a", "echo a > ${out}", @out: "a.txt"),
            Item.Step("b", "echo b > ${out}", @out: "b.txt"),
        ], new BuildOptions { Jobs = 1, Targets = ["a.txt"] });
        r.AssertStarted("plan", "a");
        r.AssertNotStarted("b");
    }

    [TestMethod]
    public async Task AFolderTarget_BuildsTheMandatoryStepsWithOutputsUnderIt()
    {
        using var p = new EngineProject();
        var r = await p.BuildAsync([
            Item.Step("a", "echo a > ${out}", @out: "out/a.txt"),
            Item.Step("b", "echo b > ${out}", @out: "out/b.txt", optional: "true"),
            Item.Step("c", "echo c > ${out}", @out: "c.txt"),
        ], new BuildOptions { Jobs = 1, Targets = ["out/"] });
        r.AssertStarted("a");
        r.AssertNotStarted("b", "c");
        Assert.AreEqual(0, r.Events.WithCode(Codes.TargetNotProduced).Count, r.ToString());
    }

    [TestMethod]
    public async Task AFolderTargetWithoutOutputs_IsAWarningInStepUpsWords()
    {
        using var p = new EngineProject();
        var r = await p.BuildAsync([Item.Step("a", "echo a > ${out}", @out: "out/a.txt")],
            new BuildOptions { Jobs = 1, Targets = ["empty/", "nope.txt"] });
        var messages = r.Events.WithCode(Codes.TargetNotProduced).Select(d => d.Message).ToList();
        CollectionAssert.Contains(messages, "1 directory target(s) matched no regular output in the workflow: empty/");
        CollectionAssert.Contains(messages, "1 target(s) are not produced by any step in the workflow: nope.txt");
        r.AssertNotStarted("a");
    }

    [TestMethod]
    public async Task ParentFoldersOfOutputs_AreCreated()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(
            Item.Step("deep", "echo x > ${out} && echo v > ${vol}", workdir: "w", @out: "a/b/c.txt", vol: "logs/run.log"))).AssertSuccess();
        Assert.IsTrue(p.Exists("w/a/b/c.txt"));
        Assert.IsTrue(p.Exists("w/logs/run.log"));
    }

    [TestMethod]
    public async Task AVolatileOutput_IsNotRequiredAndDoesNotMakeTheStepRerun()
    {
        using var p = new EngineProject();
        ItemSpec[] items = [Item.Step("v", "echo x > ${out}", @out: "x.txt", vol: "maybe.log")];
        (await p.BuildAsync(items)).AssertSuccess();
        p.Write("maybe.log", "someone wrote this\n");
        (await p.BuildAsync(items)).AssertNothingRan(1);
    }
}
