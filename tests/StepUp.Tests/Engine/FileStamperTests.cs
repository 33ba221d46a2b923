using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>The stat shortcut: the stat data must be the file's, or edits go unseen.</summary>
[TestClass]
public sealed class FileStamperTests
{
    [TestMethod]
    public void TheStatData_HasTheFilesModificationTime()
    {
        using var root = new TempFolder();
        var path = Path.Combine(root.Path, "f.txt");
        File.WriteAllText(path, "abc");
        var when = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, when);

        Assert.IsTrue(FileStamper.TryStat(path, out var stat));
        Assert.AreEqual(3, stat.Size);
        Assert.AreEqual((when - DateTime.UnixEpoch).Ticks * 100, stat.MtimeNs, $"mtime of {stat}");
    }

    [TestMethod]
    public void ASameSizeEditWithANewModificationTime_IsHashedAgain()
    {
        using var root = new TempFolder();
        var path = Path.Combine(root.Path, "f.txt");
        File.WriteAllText(path, "aaa");
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var first = FileStamper.Stamp(path);

        File.WriteAllText(path, "bbb");
        File.SetLastWriteTimeUtc(path, new DateTime(2002, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var second = FileStamper.Stamp(path, first);

        Assert.AreNotEqual(first.Digest, second.Digest, $"{first} vs {second}");
        Assert.AreEqual(FileStamper.HashFile(path), second.Digest);
    }

    [TestMethod]
    public void AnUntouchedFile_ReusesTheKnownStamp()
    {
        using var root = new TempFolder();
        var path = Path.Combine(root.Path, "f.txt");
        File.WriteAllText(path, "abc");
        var first = FileStamper.Stamp(path);
        Assert.AreSame(first, FileStamper.Stamp(path, first));
        Assert.AreEqual(FileStamp.Missing, FileStamper.Stamp(Path.Combine(root.Path, "none.txt")));
    }
}
