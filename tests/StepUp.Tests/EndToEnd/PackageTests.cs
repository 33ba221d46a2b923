using System.IO.Compression;
using System.Runtime.InteropServices;

namespace StepUp.Tests.EndToEnd;

/// <summary>The packages as nuget.org and a package manager show them.</summary>
[TestClass]
public sealed class PackageTests
{
    [TestMethod]
    public void Packages_CarryTheirReadme_AndPackWithoutTheMissingReadmeWarning()
    {
        _ = TemplatesPackage.HiveDir; // packs the templates (the SDK is packed first)
        var logs = new Dictionary<string, string>
        {
            ["StepUp.Sdk"] = SdkFeed.PackLog,
            ["StepUp.Templates"] = File.ReadAllText(Path.Combine(SdkFeed.RunDir, "templates-pack.log")),
        };
        foreach (var (id, log) in logs)
        {
            Assert.IsFalse(log.Contains("missing a readme", StringComparison.OrdinalIgnoreCase), $"Packing {id} warns of no readme:\n{log}");
            using var zip = ZipFile.OpenRead(Path.Combine(SdkFeed.FeedDir, $"{id}.{SdkFeed.Version}.nupkg"));
            Assert.IsNotNull(zip.GetEntry("README.md"), $"{id} holds README.md");
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            StringAssert.Contains(nuspec.ReadToEnd(), "<readme>README.md</readme>", $"{id} names README.md as its readme");
        }
    }

    /// <summary>
    /// The task, the director and the command come twice: portable for every platform, and compiled
    /// ahead of time for the platform that packed (this one), with every assembly of the portable copy.
    /// </summary>
    [TestMethod]
    public void ThePackage_HasAheadOfTimeTwins_OfThePortablePrograms_ForThePackingPlatform()
    {
        var rid = RuntimeInformation.RuntimeIdentifier;
        using var zip = ZipFile.OpenRead(Path.Combine(SdkFeed.FeedDir, $"StepUp.Sdk.{SdkFeed.Version}.nupkg"));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var (portable, twin) in new[] { ("tasks/net10.0/", $"tasks/net10.0-{rid}/"), ("tools/director/", $"tools/director-{rid}/"), ("tools/cli/", $"tools/cli-{rid}/") })
        {
            // The managed assemblies: the portable director's runtimes/<rid>/native/ libraries are SQLite's, one per platform.
            var assemblies = names.Where(n => n.StartsWith(portable, StringComparison.Ordinal) && n.EndsWith(".dll", StringComparison.Ordinal) && !n[portable.Length..].Contains('/')).ToList();
            Assert.IsTrue(assemblies.Count > 0, "the package has " + portable);
            foreach (var assembly in assemblies)
                Assert.IsTrue(names.Contains(twin + assembly[portable.Length..]), $"{twin} has {assembly[portable.Length..]}");
        }
        // The twins' native SQLite library is this platform's; the portable director keeps one per platform.
        Assert.IsTrue(names.Any(n => n.StartsWith($"tools/director-{rid}/libe_sqlite3", StringComparison.Ordinal) || n.StartsWith($"tools/director-{rid}/e_sqlite3", StringComparison.Ordinal)), "the twin director has SQLite's native library");
    }
}
