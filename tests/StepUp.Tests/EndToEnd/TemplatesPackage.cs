namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The StepUp.Templates package, packed once per test run from this repository into the SDK's feed
/// with the SDK's version (so its defaults name that feed and version), and installed into a
/// private template hive, so that the user's own `dotnet new` templates are never touched.
/// </summary>
public static class TemplatesPackage
{
    static readonly Lazy<string> Hive = new(PackAndInstall, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The template hive: pass it to `dotnet new` as <c>--debug:custom-hive</c>.</summary>
    public static string HiveDir => Hive.Value;

    static string PackAndInstall()
    {
        var version = SdkFeed.Version;
        var project = Path.Combine(SdkFeed.RepoRoot, "templates", "StepUp.Templates", "StepUp.Templates.csproj");
        var pack = Runner.Run(SdkFeed.RepoRoot, ChildEnvironment.ForPack(), Path.Combine(SdkFeed.RunDir, "templates-pack.log"),
            ["pack", project, "-c", "Release", "-p:Version=" + version, "-o", SdkFeed.FeedDir, "-nr:false", "-tl:off", "-v:m"],
            TimeSpan.FromMinutes(5));
        var package = Path.Combine(SdkFeed.FeedDir, "StepUp.Templates." + version + ".nupkg");
        if (pack.ExitCode != 0 || !File.Exists(package))
            throw new InvalidOperationException("Packing the templates made no " + package + ":\n" + pack.Describe());

        var hive = Path.Combine(SdkFeed.RunDir, "template-hive");
        var install = Runner.Run(SdkFeed.RunDir, ChildEnvironment.Common(), Path.Combine(SdkFeed.RunDir, "templates-install.log"),
            ["new", "install", package, "--debug:custom-hive", hive], TimeSpan.FromMinutes(2));
        if (install.ExitCode != 0)
            throw new InvalidOperationException("Installing the templates failed:\n" + install.Describe());
        return hive;
    }
}
