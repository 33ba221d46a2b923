using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// samples/hyperworkflow as a user gets it: every StepUpList listing its README shows is what
/// StepUpList prints, and the solution builds with the README's command.
/// </summary>
[TestClass]
public sealed class HyperSampleTests
{
    static string SampleDir => Path.Combine(SdkFeed.RepoRoot, "samples", "hyperworkflow");

    [TestMethod]
    public void ReadmeListings_AreWhatStepUpListPrints_AndTheSolutionBuilds()
    {
        using var p = new TestProject(projectFile: "hyperworkflow/01-config/config.stepproj");
        var copy = Path.Combine(p.Base, "hyperworkflow");
        foreach (var file in Directory.EnumerateFiles(SampleDir, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(SampleDir, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "realizations" or ".stepup" or "bin" or "obj")) continue;
            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var text = File.ReadAllText(file);
            File.WriteAllText(target, file.EndsWith(".stepproj", StringComparison.Ordinal) ? text.Replace("Sdk=\"StepUp.Sdk\"", $"Sdk=\"{p.SdkReference}\"") : text);
        }

        var readme = File.ReadAllText(Path.Combine(SampleDir, "README.md"));
        var blocks = Regex.Matches(readme, @"```\n\$ dotnet build samples/hyperworkflow/(\S+) -t:StepUpList -tl:off -v:n\n(.*?)```", RegexOptions.Singleline);
        Assert.AreEqual(10, blocks.Count, "one listing per section");
        foreach (Match block in blocks)
        {
            var folder = block.Groups[1].Value;
            var expected = block.Groups[2].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            var r = p.DotnetIn(p.Base, "build", Path.Combine(copy, folder), "-t:StepUpList", "-tl:off", "-v:n", "-nr:false").AssertSuccess();
            var actual = r.Lines.Select(l => l.Trim())
                .Where(l => l.StartsWith("LIST \u2502", StringComparison.Ordinal) || l.Contains("-> StepUp:", StringComparison.Ordinal)).ToList();
            CollectionAssert.AreEqual(expected, actual, $"README listing of {folder}:\n{string.Join("\n", actual)}");
        }

        var build = p.DotnetIn(p.Base, "build", copy, "-tl:off", "-v:n", "-nr:false").AssertSuccess("the README's first command builds every example");
        Assert.AreEqual("1.00 lr=0.5\n", File.ReadAllText(Path.Combine(copy, "10-reduce/realizations/tune/Baseline.baseline/best")));
        Assert.AreEqual("task1 read clean c\n", File.ReadAllText(Path.Combine(copy, "09-sometimes-skip/realizations/task1/Data.c/out")));
        build.Check(!Directory.Exists(Path.Combine(copy, "09-sometimes-skip/realizations/cleanup/Data.a")), "cleanup does not run for a");
    }
}
