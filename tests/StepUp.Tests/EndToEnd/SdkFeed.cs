using System.Globalization;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The StepUp.Sdk package, packed once per test run from this repository into a private folder feed,
/// with a private NuGet package folder so that the run's unique version never meets ~/.nuget/packages.
/// </summary>
public static class SdkFeed
{
    static readonly Lazy<FeedInfo> Feed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Everything this run creates under /tmp, removed when the test process exits.</summary>
    public static readonly string RunDir = CreateRunDir();

    public static string Version => Feed.Value.Version;
    public static string FeedDir => Feed.Value.FeedDir;
    public static string NuGetPackagesDir => Feed.Value.NuGetPackagesDir;
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The output of the pack, for reports.</summary>
    public static string PackLog => Feed.Value.Log;

    sealed record FeedInfo(string Version, string FeedDir, string NuGetPackagesDir, string Log);

    static string CreateRunDir()
    {
        RemoveStaleRunDirs();
        var dir = Path.Combine(Path.GetTempPath(), "stepup-e2e-" + Names.Random(8));
        Directory.CreateDirectory(dir);
        // The test host may be stopped before its ProcessExit handlers finish: RunFinished (at the end
        // of the run, see TestRunCleanup) is the one that counts; this one is for a run cut short.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunFinished(dir);
        return dir;
    }

    /// <summary>Stops what the run left running and deletes its folder under /tmp, with the feed and package folder.</summary>
    public static void RunFinished() => RunFinished(RunDir);

    static void RunFinished(string dir)
    {
        DirectorHome.StopAll();
        Files.TryDeleteDirectory(dir);
    }

    /// <summary>Run folders that an earlier test process left behind (older than two hours: no run takes that long).</summary>
    static void RemoveStaleRunDirs()
    {
        try
        {
            foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "stepup-e2e-*"))
            {
                if (Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddHours(-2))
                    Files.TryDeleteDirectory(dir);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "StepUp.Sdk.sln")))
            dir = dir.Parent;
        if (dir == null)
            throw new InvalidOperationException("No StepUp.Sdk.sln above " + AppContext.BaseDirectory);
        return dir.FullName;
    }

    static FeedInfo Pack()
    {
        var version = "0.0.1-t" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Names.Random(6);
        var feed = Path.Combine(RunDir, "feed");
        var packages = Path.Combine(RunDir, "nuget");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(packages);
        var project = Path.Combine(RepoRoot, "sdk", "StepUp.Sdk", "StepUp.Sdk.csproj");

        // The pack restores the product's own dependencies from the user's usual NuGet setup:
        // only the projects that use the SDK get the private package folder.
        var env = ChildEnvironment.ForPack();
        var result = Runner.Run(RepoRoot, env, Path.Combine(RunDir, "pack.log"),
            ["pack", project, "-c", "Release", "-p:Version=" + version, "-o", feed,
             "-nr:false", "-tl:off", "-v:m", "-p:UseSharedCompilation=false"],
            TimeSpan.FromMinutes(10));
        if (result.ExitCode != 0)
            throw new InvalidOperationException("Packing the SDK failed:\n" + result.Describe());
        if (!File.Exists(Path.Combine(feed, "StepUp.Sdk." + version + ".nupkg")))
            throw new InvalidOperationException("The pack made no StepUp.Sdk." + version + ".nupkg in " + feed + ":\n" + result.Describe());
        return new FeedInfo(version, feed, packages, result.Output);
    }
}

static class Names
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string Random(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = Alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars);
    }
}

static class Files
{
    public static void TryDeleteDirectory(string dir)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
