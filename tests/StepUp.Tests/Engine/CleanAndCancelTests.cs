using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>The Clean target (session.CleanAsync).</summary>
[TestClass]
public sealed class CleanTests
{
    [TestMethod]
    public async Task Clean_RemovesOutputsAndVolatiles_KeepsStaticAndEdited_AndTheNextBuildRunsEverything()
    {
        using var p = new EngineProject();
        p.Write("s.txt", "static\n");
        ItemSpec[] items =
        [
            Item.Static("s.txt"),
            Item.Step("a", "cat ${inp} > ${out}; echo log > ${vol}", inp: "s.txt", @out: "out/a.txt", vol: "out/a.log"),
            Item.Step("b", "echo b > ${out}", @out: "b.txt"),
            Item.Step("c", "cat ${inp} > ${out}", inp: "out/a.txt", @out: "deep/er/c.txt"),
        ];
        (await p.BuildAsync(items)).AssertSuccess();
        p.Write("b.txt", "edited by the user\n");

        var events = await p.CleanAsync();
        Assert.IsFalse(p.Exists("out/a.txt"), events.ToString());
        Assert.IsFalse(p.Exists("out/a.log"), events.ToString());
        Assert.IsFalse(p.Exists("deep/er/c.txt"), events.ToString());
        Assert.IsFalse(p.FolderExists("deep"), "Folders left empty are removed.\n" + events);
        Assert.IsFalse(p.FolderExists("out"), "Folders left empty are removed.\n" + events);
        Assert.IsTrue(events.RemovedFile("out/a.txt") && events.RemovedFile("out/a.log") && events.RemovedFile("deep/er/c.txt"), events.ToString());
        Assert.AreEqual("static\n", p.Read("s.txt"));
        Assert.AreEqual("edited by the user\n", p.Read("b.txt"));
        Assert.IsFalse(events.RemovedFile("b.txt"), events.ToString());
        var warning = events.WithCode(Codes.EditedOutputKept).Single();
        Assert.AreEqual(Severity.Warning, warning.Severity);
        StringAssert.Contains(warning.Message, "b.txt");
        Assert.AreEqual(0, events.Errors.Count, events.ToString());

        var r = (await p.BuildAsync(items)).AssertSuccess();
        r.AssertStarted("a", "b", "c");
        Assert.AreEqual(3, r.Summary.Ran);
        Assert.AreEqual(0, r.Summary.Skipped);
        Assert.AreEqual("b\n", p.Read("b.txt"));
    }

    [TestMethod]
    public async Task Clean_InANewSession_WorksFromTheDatabase()
    {
        using var p = new EngineProject();
        ItemSpec[] items = [Item.Step("a", "echo a > ${out}", @out: "a.txt")];
        (await p.BuildAsync(items)).AssertSuccess();
        p.Restart();
        var events = await p.CleanAsync();
        Assert.IsFalse(p.Exists("a.txt"), events.ToString());
        p.Restart();
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("a");
    }

    [TestMethod]
    public async Task Clean_WithoutAGraph_DoesNothing()
    {
        using var p = new EngineProject();
        p.Write("a.txt", "user file");
        var events = await p.CleanAsync();
        Assert.AreEqual(0, events.Tagged("REMOVE").Count);
        Assert.IsTrue(p.Exists("a.txt"));
    }

    [TestMethod]
    public async Task Clean_TwiceInARow_IsHarmless()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("a", "echo a > ${out}", @out: "a.txt"))).AssertSuccess();
        await p.CleanAsync();
        var second = await p.CleanAsync();
        Assert.AreEqual(0, second.Errors.Count, second.ToString());
        Assert.AreEqual(0, second.Tagged("REMOVE").Count, second.ToString());
    }
}

/// <summary>Cancelling a build stops its running steps.</summary>
[TestClass]
public sealed class CancellationTests
{
    [TestMethod]
    public async Task CancellingTheToken_StopsARunningStep()
    {
        using var p = new EngineProject();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new RecordingEvents
        {
            OnLine = (tag, text) => { if (tag == "START" && text == "sleeper") started.TrySetResult(); },
        };
        using var cts = new CancellationTokenSource();
        ItemSpec[] items =
        [
            Item.Step("sleeper", "sleep 30; echo done > ${out}", line: 3, @out: "slept.txt"),
            Item.Step("after", "cat ${inp}", line: 4, inp: "slept.txt"),
        ];
        var request = new StepUp.Engine.Sessions.BuildRequest
        {
            Items = items,
            Environment = new Dictionary<string, string>(p.Env),
            Options = new BuildOptions { Jobs = 2 },
        };
        var build = p.Session.BuildAsync(request, events, p.NewContext(), cts.Token);

        // Safety timeouts only, so that a broken engine fails the test instead of hanging the suite.
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        cts.Cancel();
        var summary = await build.WaitAsync(TimeSpan.FromSeconds(20));

        var r = new EngineBuild(summary, events);
        r.AssertFailure();
        Assert.IsTrue(events.WithCode(Codes.Cancelled).Count >= 1, r.ToString());
        Assert.IsTrue(events.WithCode(Codes.Cancelled).All(d => d.Severity == Severity.Error), r.ToString());
        r.AssertNotStarted("after");
        Assert.IsFalse(p.Exists("slept.txt"));

        // The session is usable afterwards; the stopped step is not up to date.
        var next = await p.BuildAsync(Item.Step("sleeper", "echo quick > ${out}", line: 3, @out: "slept.txt"));
        next.AssertSuccess().AssertStarted("sleeper");
    }

    [TestMethod]
    public async Task CancellingBeforeTheBuild_RunsNothing()
    {
        using var p = new EngineProject();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        try
        {
            var r = await p.BuildAsync([Item.Step("a", "echo a > ${out}", @out: "a.txt")], ct: cts.Token);
            r.AssertFailure();
            r.AssertNotStarted("a");
        }
        catch (OperationCanceledException)
        {
            // Also acceptable: the request is refused before it starts.
        }
        Assert.IsFalse(p.Exists("a.txt"));
    }
}
