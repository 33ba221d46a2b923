using StepUp.Engine.Sessions;

namespace StepUp.Tests.Unit;

/// <summary>The director's logs stay small: past their cap they keep one older file.</summary>
[TestClass]
public sealed class LogFileTests
{
    [TestMethod]
    public void PastTheCap_TheLogStartsAnew_AndKeepsOneOlderFile()
    {
        using var temp = new TempFolder();
        var log = new LogFile(Path.Combine(temp.Path, "director.log"));
        var line = new string('x', 1000);
        for (var i = 0; i < 3500; i++) log.Write(i + " " + line);

        Assert.IsTrue(new FileInfo(log.Path).Length <= LogFile.MaxBytes, "the log itself is within its cap");
        Assert.IsTrue(new FileInfo(log.Path + ".1").Length <= LogFile.MaxBytes, "the older file is within the cap too");
        CollectionAssert.AreEquivalent(new[] { "director.log", "director.log.1" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).ToList());
        StringAssert.Contains(File.ReadLines(log.Path).Last(), "3499 ", "the newest line is in the log");
    }
}
