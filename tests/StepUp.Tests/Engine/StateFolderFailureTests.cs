using StepUp.Engine.Planning;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>
/// When StepUp cannot write .stepup/ (a read-only or full file system), the build ends at once with
/// STEPUP0306 naming what failed: only a lock that another process holds is waited for.
/// </summary>
[TestClass]
public sealed class StateFolderFailureTests
{
    static readonly ItemSpec[] Items = [Item.Step("a", "echo a > ${out}", @out: "a.txt")];

    static void AssertStateError(EngineBuild r, string mentioning)
    {
        r.AssertFailure();
        var error = r.Single(Codes.StateFolderUnusable);
        StringAssert.Contains(error.Message, ".stepup", r.ToString());
        StringAssert.Contains(error.Message, mentioning, r.ToString());
        Assert.AreEqual(0, r.Events.Tagged("WAIT").Count, "Nothing to wait for.\n" + r);
        r.AssertNotStarted("a");
    }

    [TestMethod]
    public async Task ReadOnlyFileSystem_WithoutStateFolder()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.Root, "size=4m");
        mount.MakeReadOnly();
        AssertStateError(await p.BuildAsync(Items), "Read-only file system");
    }

    [TestMethod]
    public async Task ReadOnlyFileSystem_AfterABuild()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.Root, "size=4m");
        (await p.BuildAsync(Items)).AssertSuccess();
        p.Restart();
        mount.MakeReadOnly();
        AssertStateError(await p.BuildAsync(Items), "Read-only file system");
    }

    [TestMethod]
    public async Task ReadOnlyStateFolder()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.FullPath(".stepup"), "size=1m,mode=0700");
        mount.MakeReadOnly();
        AssertStateError(await p.BuildAsync(Items), "lock");
    }

    [TestMethod]
    public async Task NoFreeInodes_WithoutStateFolder()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.Root, "size=4m,nr_inodes=64");
        mount.UseUpInodes();
        AssertStateError(await p.BuildAsync(Items), "No space left on device");
    }

    [TestMethod]
    public async Task NoFreeInodes_AfterABuild()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.Root, "size=4m,nr_inodes=64");
        (await p.BuildAsync(Items)).AssertSuccess();
        p.Restart();
        mount.UseUpInodes();
        var r = await p.BuildAsync([Item.Step("a", "echo changed > ${out}", @out: "a.txt")]);
        r.AssertFailure();
        Assert.AreEqual(1, r.Events.WithCode(Codes.StateFolderUnusable).Count, r.ToString());
    }

    [TestMethod]
    public async Task Clean_OnAReadOnlyFileSystem()
    {
        using var p = new EngineProject();
        using var mount = new ScratchMount(p.Root, "size=4m");
        (await p.BuildAsync(Items)).AssertSuccess();
        p.Restart();
        mount.MakeReadOnly();
        var events = await p.CleanAsync();
        Assert.AreEqual(1, events.WithCode(Codes.StateFolderUnusable).Count, events.ToString());
        Assert.IsTrue(p.Exists("a.txt"));
    }

    [TestMethod]
    public async Task StateFolderThatIsAFile()
    {
        using var p = new EngineProject();
        p.Write(".stepup", "not a folder");
        var r = await p.BuildAsync(Items);
        r.AssertFailure();
        StringAssert.Contains(r.Single(Codes.StateFolderUnusable).Message, ".stepup", r.ToString());
        Assert.AreEqual("not a folder", p.Read(".stepup"));
    }

    [TestMethod]
    public async Task LockFileThatIsAFolder()
    {
        using var p = new EngineProject();
        Directory.CreateDirectory(p.FullPath(".stepup/lock"));
        var r = await p.BuildAsync(Items);
        r.AssertFailure();
        StringAssert.Contains(r.Single(Codes.StateFolderUnusable).Message, "lock", r.ToString());
        Assert.AreEqual(0, r.Events.Tagged("WAIT").Count, "Nothing to wait for.\n" + r);
    }
}
