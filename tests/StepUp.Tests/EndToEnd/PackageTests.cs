using System.IO.Compression;

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
}
