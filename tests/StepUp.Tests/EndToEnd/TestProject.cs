using System.Diagnostics;
using System.Security;
using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A user's project in a temporary folder: a <c>.stepproj</c> that names the SDK of this test run,
/// a nuget.config whose only source is the run's feed, and any other files. Builds run with the
/// dotnet CLI as a user would. Disposing it stops its director (when it has its own) and deletes
/// its folders.
/// </summary>
public sealed class TestProject : IDisposable
{
    static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    readonly bool _ownsHome;
    int _commandCount;

    /// <summary>The folder that holds the project, nuget.config and the command logs.</summary>
    public string Base { get; }

    /// <summary>The project root: the folder of the .stepproj.</summary>
    public string Root { get; }

    public string ProjectPath { get; }
    public DirectorHome Home { get; }

    /// <summary>Added to (or, with a null value, removed from) the environment of every command.</summary>
    public Dictionary<string, string?> Env { get; } = new(StringComparer.Ordinal);

    /// <param name="home">A director folder shared with other tests; null: one of its own.</param>
    /// <param name="projectFile">The .stepproj, relative to <see cref="Base"/>.</param>
    public TestProject(DirectorHome? home = null, string projectFile = "p/main.stepproj")
    {
        _ownsHome = home == null;
        Home = home ?? new DirectorHome();
        Base = Path.Combine(SdkFeed.RunDir, "t-" + Names.Random(8));
        ProjectPath = Path.Combine(Base, projectFile);
        Root = Path.GetDirectoryName(ProjectPath)!;
        Directory.CreateDirectory(Root);
        // Keep MSBuild from importing anything that lies above the test folder.
        File.WriteAllText(Path.Combine(Base, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Base, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Base, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="stepup-e2e" value="{SecurityElement.Escape(SdkFeed.FeedDir)}" />
              </packageSources>
            </configuration>

            """);
    }

    public string SdkReference => "StepUp.Sdk/" + SdkFeed.Version;

    /// <summary>Writes the .stepproj with one ItemGroup holding <paramref name="items"/>, one per line.</summary>
    public void WriteSteps(params string[] items)
    {
        var body = "  <ItemGroup>\n" + string.Concat(items.Select(i => "    " + i + "\n")) + "  </ItemGroup>\n";
        WriteProject(body);
    }

    /// <summary>Writes the .stepproj with <paramref name="inner"/> between &lt;Project Sdk=...&gt; and &lt;/Project&gt;.</summary>
    public void WriteProject(string inner)
    {
        if (!inner.EndsWith('\n')) inner += "\n";
        File.WriteAllText(ProjectPath, $"<Project Sdk=\"{SdkReference}\">\n{inner}</Project>\n");
    }

    /// <summary>The 1-based line of the .stepproj holding <paramref name="snippet"/> (the first such line).</summary>
    public int LineOf(string snippet)
    {
        var lines = File.ReadAllLines(ProjectPath);
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].Contains(snippet, StringComparison.Ordinal)) return i + 1;
        throw new InvalidOperationException($"No line of {ProjectPath} holds {snippet}");
    }

    /// <summary>The lines of <paramref name="code"/> errors that point at this .stepproj and one of <paramref name="lines"/>.</summary>
    public bool ErrorPointsAt(BuildResult result, string code, params int[] lines)
    {
        var name = Regex.Escape(Path.GetFileName(ProjectPath));
        return result.ErrorLines(code).Any(l => lines.Any(n => Regex.IsMatch(l, name + @"\(" + n + @"[,)]")));
    }

    public void AssertErrorAt(BuildResult result, string code, params int[] lines)
    {
        result.Check(result.HasError(code), $"Expected error {code}");
        result.Check(ErrorPointsAt(result, code, lines),
            $"Expected error {code} to point at {ProjectPath} line {string.Join(" or ", lines)}; got:\n  "
            + string.Join("\n  ", result.ErrorLines(code)));
    }

    public string PathOf(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    public void WriteFile(string relative, string text, bool executable = false)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (executable && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public string ReadFile(string relative) => File.ReadAllText(PathOf(relative));
    public bool FileExists(string relative) => File.Exists(PathOf(relative));
    public bool DirExists(string relative) => Directory.Exists(PathOf(relative));
    public void DeleteFile(string relative) => File.Delete(PathOf(relative));
    public void DeleteFileIfExists(string relative)
    {
        if (FileExists(relative)) DeleteFile(relative);
    }

    public IReadOnlyList<int> DirectorPids() => Home.Pids();

    public IReadOnlyDictionary<string, string?> ChildEnv()
    {
        var env = ChildEnvironment.ForProject(Home.Dir);
        foreach (var (key, value) in Env) env[key] = value;
        return env;
    }

    static readonly string[] BuildDefaults = ["-tl:off", "-v:n", "-nr:false"];

    /// <summary><c>dotnet build main.stepproj -tl:off -v:n -nr:false args...</c> in the project root.</summary>
    public BuildResult Build(params string[] args) => Dotnet(["build", ProjectPath, .. BuildDefaults, .. args]);

    /// <summary>
    /// <c>dotnet build main.stepproj -tl:on -nr:false args...</c>: the terminal logger, the default of an
    /// interactive `dotnet build`, forced on although the output is a file (<see cref="BuildResult.Plain"/>
    /// is what the terminal shows, without its control codes).
    /// </summary>
    public BuildResult BuildWithTerminalLogger(params string[] args) => Dotnet(["build", ProjectPath, "-tl:on", "-nr:false", .. args]);

    /// <summary>Any dotnet command, run in the project root.</summary>
    public BuildResult Dotnet(params string[] args) => DotnetIn(Root, args);

    public BuildResult DotnetIn(string workDir, params string[] args)
    {
        var result = Runner.Run(workDir, ChildEnv(), NextLogFile(args), args, DefaultTimeout);
        // Shown with the test's result: the commands before a failing one, and how each ended.
        Console.WriteLine($"$ {result.Command}  => exit {result.ExitCode}; {result.Summary ?? "no StepUp summary"}; started: [{string.Join(", ", result.StartedSteps)}]");
        return result;
    }

    /// <summary>Starts a build and returns at once; <see cref="RunningBuild.Wait"/> gives its result.</summary>
    public RunningBuild StartBuild(params string[] args)
    {
        string[] all = ["build", ProjectPath, .. BuildDefaults, .. args];
        var log = NextLogFile(all);
        return new RunningBuild(Runner.Start(Root, ChildEnv(), log, all), log, all);
    }

    string NextLogFile(string[] args)
    {
        var n = Interlocked.Increment(ref _commandCount);
        return Path.Combine(Base, "logs", $"{n:00}-{(args.Length > 0 ? args[0] : "dotnet")}.log");
    }

    public void Dispose()
    {
        if (_ownsHome) Home.Dispose();
        Files.TryDeleteDirectory(Base);
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms; false when <paramref name="limit"/> passed first.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit) return false;
            Thread.Sleep(50);
        }
        return true;
    }
}

public sealed class RunningBuild(Process process, string logFile, string[] args) : IDisposable
{
    public bool HasExited => process.HasExited;

    /// <summary>The `dotnet build` process itself (the shell that started it exec'd it).</summary>
    public int Pid => process.Id;
    public string OutputSoFar => Runner.ReadOutput(logFile);

    public BuildResult Wait(TimeSpan timeout) => Runner.Finish(process, logFile, args, timeout);

    public void Dispose()
    {
        if (!process.HasExited)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
        }
        process.Dispose();
    }
}
