using StepUp.Engine.Planning;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>MSBuild-style wildcards and folders as inputs: what they match on disk and among declared outputs.</summary>
[TestClass]
public sealed class InputPatternTests
{
    [TestMethod]
    public void WildcardsMatchAsInMSBuild()
    {
        using var root = new TempFolder();
        foreach (var file in new[] { "raw/a.csv", "raw/b.txt", "raw/sub/c.csv", "raw/sub/deep/d.csv", "other/e.csv" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root.Path, file))!);
            File.WriteAllText(Path.Combine(root.Path, file), "");
        }
        string[] Match(string entry, string workdir = ".", params string[] declared) =>
            InputPattern.Expand(root.Path, workdir, entry, declared)!.ToArray();

        CollectionAssert.AreEqual(new[] { "raw/a.csv" }, Match("raw/*.csv"), "* stays within a folder");
        CollectionAssert.AreEqual(new[] { "raw/a.csv", "raw/sub/c.csv", "raw/sub/deep/d.csv" }, Match("raw/**/*.csv"), "** spans folders, none included");
        CollectionAssert.AreEqual(new[] { "raw/a.csv", "raw/b.txt", "raw/sub/c.csv", "raw/sub/deep/d.csv" }, Match("raw/"), "A folder is every file under it");
        CollectionAssert.AreEqual(new[] { "raw/a.csv" }, Match("?.csv", "raw"), "Relative to the workdir; ? is one character");
        CollectionAssert.AreEqual(new[] { "other/e.csv", "raw/a.csv", "raw/made.csv" }, Match("*/*.csv", ".", "raw/made.csv", "elsewhere.csv"),
            "Declared outputs match before they exist");
        Assert.IsNull(InputPattern.Expand(root.Path, ".", "../*.csv", []), "Outside the root matches nothing");
        Assert.IsTrue(InputPattern.IsPattern(root.Path, ".", "raw") && InputPattern.IsPattern(root.Path, ".", "nothing/"));
        Assert.IsFalse(InputPattern.IsPattern(root.Path, ".", "raw/a.csv"));
    }
}
