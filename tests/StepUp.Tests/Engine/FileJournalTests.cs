using StepUp.Engine.Planning;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>
/// A warm session stats only the files its journal saw change (Linux, inotify). These tests change
/// files between builds in the ways a journal could miss, and check that the next build still sees
/// each change: the step that depends on it runs again, and nothing else does.
/// </summary>
[TestClass]
public sealed class FileJournalTests
{
    static ItemSpec[] CopyItems() =>
    [
        Item.Static("in/a.txt", line: 2),
        Item.Static("in/b.txt", line: 3),
        Item.Step("a", "cat in/a.txt > ${out}", line: 4, inp: "in/a.txt", @out: "out/a.out"),
        Item.Step("b", "cat in/b.txt > ${out}", line: 5, inp: "in/b.txt", @out: "out/b.out"),
    ];

    /// <summary>A cold build and two no-ops: the second no-op is the first whose refresh comes from the journal.</summary>
    static async Task<EngineProject> WarmProjectAsync()
    {
        var p = new EngineProject();
        p.Write("in/a.txt", "a1");
        p.Write("in/b.txt", "b1");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a", "b");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        Assert.AreEqual((0, 4), LastRefresh(p), "a warm no-op states no file: the journal vouches for them all");
        return p;
    }

    /// <summary>How many files the last build stated, of how many the graph holds (from .stepup/director.log).</summary>
    static (int Stated, int Files) LastRefresh(EngineProject p)
    {
        var line = File.ReadLines(p.FullPath(".stepup/director.log")).Last(l => l.Contains("build: StepUp", StringComparison.Ordinal));
        var m = System.Text.RegularExpressions.Regex.Match(line, @"; (\d+) of (\d+) files stated$");
        Assert.IsTrue(m.Success, line);
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value));
    }

    [TestInitialize]
    public void LinuxOnly()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("the journal is inotify's: Linux only");
    }

    [TestMethod]
    public async Task AnInputEditedBetweenWarmBuilds_RerunsOnlyItsStep()
    {
        using var p = await WarmProjectAsync();
        p.Write("in/a.txt", "a2, longer");
        var r = (await p.BuildAsync(CopyItems())).AssertSuccess();
        r.AssertStarted("a");
        r.AssertSkipped("b");
        Assert.AreEqual("a2, longer", p.Read("out/a.out"));
        Assert.IsTrue(LastRefresh(p).Stated < 4, "only what changed is stated: " + LastRefresh(p));
        // What the last build wrote is stated once more, and then nothing.
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        Assert.IsTrue(LastRefresh(p).Stated <= 2, "the files the last build changed: " + LastRefresh(p));
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        Assert.AreEqual((0, 4), LastRefresh(p));
    }

    [TestMethod]
    public async Task AnOutputDeletedOrEditedBetweenWarmBuilds_IsMadeAgain()
    {
        using var p = await WarmProjectAsync();
        File.Delete(p.FullPath("out/b.out"));
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("b");
        Assert.AreEqual("b1", p.Read("out/b.out"));

        p.Write("out/a.out", "edited by hand");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a");
        Assert.AreEqual("a1", p.Read("out/a.out"));
    }

    [TestMethod]
    public async Task AnInputThatIsASymbolicLink_IsSeenWhenItsTargetChangesOutsideTheProject()
    {
        using var outside = new TempFolder();
        var target = Path.Combine(outside.Path, "shared.txt");
        File.WriteAllText(target, "s1");
        using var p = await WarmProjectAsync();
        File.Delete(p.FullPath("in/a.txt"));
        File.CreateSymbolicLink(p.FullPath("in/a.txt"), target);
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);

        // No event in the project's folders: only the link's target changed.
        File.WriteAllText(target, "s2, longer");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a");
        Assert.AreEqual("s2, longer", p.Read("out/a.out"));
    }

    [TestMethod]
    public async Task AFolderMovedAwayAndBack_WithAFileEditedMeanwhile_IsSeen()
    {
        using var p = await WarmProjectAsync();
        Directory.Move(p.FullPath("in"), p.FullPath("in-moved"));
        File.WriteAllText(p.FullPath("in-moved/b.txt"), "b2, edited while away");
        Directory.Move(p.FullPath("in-moved"), p.FullPath("in"));
        var r = (await p.BuildAsync(CopyItems())).AssertSuccess();
        r.AssertStarted("b");
        r.AssertSkipped("a");
        Assert.AreEqual("b2, edited while away", p.Read("out/b.out"));
    }

    [TestMethod]
    public async Task AFolderReplacedByALinkToAnotherFolder_IsSeen()
    {
        using var other = new TempFolder();
        File.WriteAllText(Path.Combine(other.Path, "a.txt"), "a1");
        File.WriteAllText(Path.Combine(other.Path, "b.txt"), "other b");
        using var p = await WarmProjectAsync();
        Directory.Move(p.FullPath("in"), p.FullPath("in-old"));
        Directory.CreateSymbolicLink(p.FullPath("in"), other.Path);
        var r = (await p.BuildAsync(CopyItems())).AssertSuccess();
        r.AssertStarted("b");
        Assert.AreEqual("other b", p.Read("out/b.out"));

        // Changes inside the linked folder are seen too.
        File.WriteAllText(Path.Combine(other.Path, "a.txt"), "other a");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a");
        Assert.AreEqual("other a", p.Read("out/a.out"));

        // The link pointed elsewhere: the folder it led to raises no event of its own.
        File.Delete(p.FullPath("in"));
        Directory.CreateSymbolicLink(p.FullPath("in"), p.FullPath("in-old"));
        var back = (await p.BuildAsync(CopyItems())).AssertSuccess();
        back.AssertStarted("a", "b");
        Assert.AreEqual("b1", p.Read("out/b.out"));
    }

    [TestMethod]
    public async Task AStaticFileInAFolderThatDidNotExist_IsSeenOnceItIsCreated()
    {
        using var p = await WarmProjectAsync();
        var items = CopyItems().Append(Item.Static("late/c.txt", line: 6))
            .Append(Item.Step("c", "cat late/c.txt > ${out}", line: 7, inp: "late/c.txt", @out: "out/c.out")).ToArray();
        var missing = await p.BuildAsync(items);
        Assert.IsFalse(missing.Summary.Success);
        Assert.AreEqual(6, missing.Single("STEPUP0005").Location.Line);

        p.Write("late/c.txt", "c1");
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("c");
        (await p.BuildAsync(items)).AssertSuccess().AssertNothingRan(3);
        p.Write("late/c.txt", "c2, longer");
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("c");
        Assert.AreEqual("c2, longer", p.Read("out/c.out"));
    }

    [TestMethod]
    public async Task ManyFilesChangedAtOnce_AreAllSeen()
    {
        const int n = 300;
        var items = Enumerable.Range(0, n).SelectMany(i => new[]
        {
            Item.Static($"in/{i}.txt", line: 2 + 2 * i),
            Item.Step($"s{i}", $"cat in/{i}.txt > ${{out}}", line: 3 + 2 * i, inp: $"in/{i}.txt", @out: $"out/{i}.out"),
        }).ToArray();
        using var p = new EngineProject();
        for (var i = 0; i < n; i++) p.Write($"in/{i}.txt", "one");
        (await p.BuildAsync(items)).AssertSuccess();
        (await p.BuildAsync(items)).AssertSuccess().AssertNothingRan(n);
        (await p.BuildAsync(items)).AssertSuccess().AssertNothingRan(n);
        // Enough writes to overflow a small event queue many times over.
        for (var round = 0; round < 60; round++)
            for (var i = 0; i < n; i += 3) p.Write($"in/{i}.txt", "two " + round);
        var r = (await p.BuildAsync(items)).AssertSuccess();
        for (var i = 0; i < n; i++)
        {
            if (i % 3 == 0) r.AssertStarted($"s{i}");
            else r.AssertSkipped($"s{i}");
        }
        Assert.AreEqual("two 59", p.Read("out/0.out"));
    }

    [TestMethod]
    public async Task AFileTouchedWithTheSameContent_IsSkippedAndThenTrustedAgain()
    {
        using var p = await WarmProjectAsync();
        File.SetLastWriteTimeUtc(p.FullPath("in/a.txt"), DateTime.UtcNow.AddMinutes(-5));
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertNothingRan(2);
        p.Write("in/a.txt", "a3, longer");
        (await p.BuildAsync(CopyItems())).AssertSuccess().AssertStarted("a");
    }
}
