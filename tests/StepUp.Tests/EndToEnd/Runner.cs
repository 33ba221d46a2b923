using System.Collections;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>Runs the dotnet CLI as a user would, with a controlled environment and a hard time limit.</summary>
public static class Runner
{
    /// <summary>The dotnet that runs the tests, else the one on PATH.</summary>
    public static string DotnetExe
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        }
    }

    /// <summary>
    /// Runs <c>dotnet args...</c> in <paramref name="workDir"/> and returns its exit code and output.
    /// stdout and stderr go to <paramref name="outFile"/> (not a pipe: a director that inherited the
    /// build's output must not make the test wait for it). Past <paramref name="timeout"/> the process
    /// tree is killed and the test fails with the output so far.
    /// </summary>
    public static BuildResult Run(string workDir, IReadOnlyDictionary<string, string?> env, string outFile,
        IReadOnlyList<string> args, TimeSpan timeout)
    {
        using var process = Start(workDir, env, outFile, args);
        return Finish(process, outFile, args, timeout);
    }

    public static Process Start(string workDir, IReadOnlyDictionary<string, string?> env, string outFile,
        IReadOnlyList<string> args)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workDir, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("out=\"$1\"; shift; exec \"$@\" >\"$out\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(outFile);
        psi.ArgumentList.Add(DotnetExe);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        ApplyEnvironment(psi, env);
        return Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet");
    }

    public static void ApplyEnvironment(ProcessStartInfo psi, IReadOnlyDictionary<string, string?> env)
    {
        psi.Environment.Clear();
        foreach (var (key, value) in env)
            if (value != null) psi.Environment[key] = value;
    }

    public static BuildResult Finish(Process process, string outFile, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var command = "dotnet " + string.Join(' ', args);
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            Assert.Fail($"`{command}` did not finish within {timeout.TotalSeconds:0} s; killed. Output so far:\n{ReadOutput(outFile)}");
        }
        return new BuildResult(command, process.ExitCode, ReadOutput(outFile));
    }

    public static string ReadOutput(string outFile)
    {
        try
        {
            using var stream = new FileStream(outFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException) { return ""; }
    }

    /// <summary>Runs any program (not dotnet) and returns exit code and merged output.</summary>
    public static (int ExitCode, string Output) RunTool(string fileName, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + fileName);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return (-1, "timed out");
        }
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10));
        return (process.ExitCode, (stdout.IsCompletedSuccessfully ? stdout.Result : "") + (stderr.IsCompletedSuccessfully ? stderr.Result : ""));
    }
}

/// <summary>The environment of every dotnet that the tests start.</summary>
public static class ChildEnvironment
{
    static readonly string[] Removed = ["CI", "TF_BUILD", "GITHUB_ACTIONS", "MSBUILDNOINPROCNODE", "DOTNET_CLI_USE_MSBUILD_SERVER"];

    /// <summary>
    /// The test process's environment without what would change how a build behaves: CI markers
    /// (CI=true makes the director transient), MSBuild settings that `dotnet test` hands its test host,
    /// and any StepUp variable of an outer build.
    /// </summary>
    public static Dictionary<string, string?> Common()
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            env[(string)entry.Key] = entry.Value as string;
        foreach (var key in env.Keys.ToList())
        {
            if (Removed.Contains(key, StringComparer.OrdinalIgnoreCase)
                || key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("STEPUP_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM_", StringComparison.OrdinalIgnoreCase))
                env.Remove(key);
        }
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        env["DOTNET_NOLOGO"] = "1";
        env["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        env["DOTNET_GENERATE_ASPNET_CERTIFICATE"] = "false";
        env["DOTNET_ADD_GLOBAL_TOOLS_TO_PATH"] = "false";
        env["DOTNET_CLI_UI_LANGUAGE"] = "en";
        return env;
    }

    public static Dictionary<string, string?> ForPack() => Common();

    public static Dictionary<string, string?> ForProject(string directorDir)
    {
        var env = Common();
        env["NUGET_PACKAGES"] = SdkFeed.NuGetPackagesDir;
        env["STEPUP_DIRECTOR_DIR"] = directorDir;
        return env;
    }
}

/// <summary>What a user sees after one dotnet command.</summary>
public sealed class BuildResult(string command, int exitCode, string output)
{
    public string Command { get; } = command;
    public int ExitCode { get; } = exitCode;
    public string Output { get; } = output;

    public string[] Lines => Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The output without ANSI control sequences (what the terminal logger writes to redraw its live lines).</summary>
    public string Plain => Regex.Replace(Output, @"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "");

    /// <summary>An event line `  TAG │ text` (the tag right-aligned; MSBuild may indent it).</summary>
    public bool HasEvent(string tag, string text) => EventRegex(tag, text).IsMatch(Output);

    /// <summary>A run's duration may follow: MSBuild's worker nodes (-m) pass the task's detailed-verbosity lines on at any verbosity.</summary>
    public static Regex EventRegex(string tag, string text) =>
        new(@"(?m)(?<![A-Za-z])" + Regex.Escape(tag) + " \u2502 "
            + Regex.Escape(text) + @"(?: \(\d+\.\d{3} s\))?[ \t]*\r?$");

    public bool Ran(string step) => HasEvent("START", step);
    public bool Succeeded(string step) => HasEvent("SUCCESS", step);
    public bool Skipped(string step) => HasEvent("SKIP", step);
    public bool Failed(string step) => HasEvent("FAIL", step);
    public bool Removed(string path) => HasEvent("REMOVE", path);

    /// <summary>Any START line at all.</summary>
    public bool AnyStepStarted => Regex.IsMatch(Output, "(?<![A-Za-z])START \u2502 ");

    public IReadOnlyList<string> StartedSteps => Regex
        .Matches(Output, @"(?m)(?<![A-Za-z])START \u2502 (.*?)[ \t]*\r?$")
        .Select(m => m.Groups[1].Value).ToList();

    public IReadOnlyList<string> ErrorLines(string code) =>
        Lines.Where(l => Regex.IsMatch(l, @"\berror " + code + @"\b")).ToList();

    public IReadOnlyList<string> WarningLines(string code) =>
        Lines.Where(l => Regex.IsMatch(l, @"\bwarning " + code + @"\b")).ToList();

    public bool HasError(string code) => ErrorLines(code).Count > 0;
    public bool HasWarning(string code) => WarningLines(code).Count > 0;
    public string? ErrorLine(string code) => ErrorLines(code).FirstOrDefault();

    /// <summary>Any STEPUP error.</summary>
    public bool HasAnyStepUpError => Regex.IsMatch(Output, @"\berror STEPUP\d{4}\b");

    /// <summary>
    /// The last summary `StepUp: N ran, N skipped, N failed, N removed` (without what MSBuild puts before
    /// it on its line, e.g. `main -> `), or null.
    /// </summary>
    public string? Summary => Regex
        .Matches(Output, @"StepUp: \d+ ran, \d+ skipped, \d+ failed, \d+ removed")
        .Select(m => m.Value).LastOrDefault();

    public string Describe()
    {
        const int max = 20_000;
        var text = Output.Length > max ? "...\n" + Output[^max..] : Output;
        return $"$ {Command}\n(exit code {ExitCode})\n{text}";
    }

    public BuildResult AssertSuccess(string? what = null)
    {
        if (ExitCode != 0) Assert.Fail((what ?? "The command should succeed") + ":\n" + Describe());
        return this;
    }

    public BuildResult AssertFailure(string? what = null)
    {
        if (ExitCode == 0) Assert.Fail((what ?? "The command should fail") + ":\n" + Describe());
        return this;
    }

    public void Check(bool condition, string what)
    {
        if (!condition) Assert.Fail(what + ":\n" + Describe());
    }
}
