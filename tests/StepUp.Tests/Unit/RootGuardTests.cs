using StepUp.Engine.Files;

namespace StepUp.Tests.Unit;

/// <summary>Where graph paths really lead: links followed one component at a time, as the kernel does.</summary>
[TestClass]
public sealed class RootGuardTests
{
    static void Link(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    [TestMethod]
    public void PlainPaths_AreTheirOwnRealPaths_AndMayBeDeleted()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "a/b"));
        var guard = new RootGuard(root.Path);
        Assert.AreEqual("a/b/c.txt", guard.RealPath("a/b/c.txt", followLast: true));
        Assert.AreEqual("new/deeper/c.txt", guard.RealPath("new/deeper/c.txt", followLast: true), "Missing folders are kept as they are");
        Assert.IsTrue(guard.MayDelete("a/b/c.txt"));
        Assert.IsTrue(guard.MayRemoveFolder("a/b"));
    }

    [TestMethod]
    public void AFolderLinkedOutside_LeadsOutside_AndIsNeverDeletedThrough()
    {
        using var root = new TempFolder();
        using var outside = new TempFolder();
        Link(Path.Combine(root.Path, "gen"), outside.Path);
        var guard = new RootGuard(root.Path);
        var real = guard.RealPath("gen/x.txt", followLast: true);
        Assert.IsTrue(Path.IsPathRooted(real), "Outside the root a real path is absolute: " + real);
        Assert.AreEqual(Path.GetFileName(outside.Path) + "/x.txt", string.Join('/', real.Split('/')[^2..]));
        Assert.IsFalse(guard.MayDelete("gen/x.txt"));
        Assert.IsFalse(guard.MayRemoveFolder("gen"), "The link itself is no folder of the root");
        Assert.IsTrue(guard.MayDelete("gen"), "Deleting the link removes the link, not what it points to");
    }

    [TestMethod]
    public void AFolderLinkedInsideTheRoot_LeadsToItsTarget_ButIsNotDeletedThrough()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "data"));
        Link(Path.Combine(root.Path, "alias"), "data");
        var guard = new RootGuard(root.Path);
        Assert.AreEqual("data/s.txt", guard.RealPath("alias/s.txt", followLast: true));
        Assert.IsFalse(guard.MayDelete("alias/s.txt"));
    }

    [TestMethod]
    public void DotDotAfterALink_GoesUpFromWhereTheLinkLed()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Path, "deep/down"));
        // up -> deep/down; "up/../x" is deep/x for the kernel, not x.
        Link(Path.Combine(root.Path, "up"), "deep/down");
        Link(Path.Combine(root.Path, "hop"), "up/..");
        var guard = new RootGuard(root.Path);
        Assert.AreEqual("deep/x.txt", guard.RealPath("hop/x.txt", followLast: true));
    }

    [TestMethod]
    public void ALinkAsTheLastComponent_IsFollowedForWritesOnly()
    {
        using var root = new TempFolder();
        using var outside = new TempFolder();
        File.WriteAllText(Path.Combine(outside.Path, "target.txt"), "t");
        Link(Path.Combine(root.Path, "out.txt"), Path.Combine(outside.Path, "target.txt"));
        var guard = new RootGuard(root.Path);
        Assert.IsTrue(Path.IsPathRooted(guard.RealPath("out.txt", followLast: true)), "A write follows the link");
        Assert.AreEqual("out.txt", guard.RealPath("out.txt", followLast: false));
        Assert.IsTrue(guard.MayDelete("out.txt"));
    }

    [TestMethod]
    public void ALoopOfLinks_Ends()
    {
        using var root = new TempFolder();
        Link(Path.Combine(root.Path, "a"), "b");
        Link(Path.Combine(root.Path, "b"), "a");
        var guard = new RootGuard(root.Path);
        var real = guard.RealPath("a/x.txt", followLast: true);
        Assert.IsFalse(string.IsNullOrEmpty(real));
    }

    [TestMethod]
    public void StateFolder_IsNeverDeletedFrom()
    {
        using var root = new TempFolder();
        var guard = new RootGuard(root.Path);
        Assert.IsFalse(guard.MayDelete(".stepup/graph.db"));
        Assert.IsFalse(guard.MayDelete("/etc/passwd"));
    }
}
