using System.Collections;
using System.Diagnostics;

namespace StepUp.Tests.Cli;

/// <summary>What one run of the <c>stepup</c> command did.</summary>
sealed record StepupResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout:\n{Stdout}--- stderr:\n{Stderr}";
}

/// <summary>
/// Runs the real <c>stepup</c> command (<c>dotnet stepup.dll ...</c>), built once per test run from
/// src/StepUp.Cli, with an environment free of the test host's and any outer build's settings.
/// </summary>
static class StepupProcess
{
    static readonly Lazy<string> Dll = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string DotnetExe
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
        }
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    public static StepupResult Run(string workDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetExe)
        {
            WorkingDirectory = workDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Dll.Value);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        SetEnvironment(psi, env);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Assert.Fail("`stepup " + string.Join(' ', args) + "` did not finish within 60 s; killed.");
        }
        process.WaitForExit();
        return new StepupResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The test host's environment without MSBuild, test platform and StepUp settings, plus <paramref name="env"/>.</summary>
    static void SetEnvironment(ProcessStartInfo psi, IReadOnlyDictionary<string, string>? env)
    {
        psi.Environment.Clear();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("STEPUP_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST_", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM_", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_CLI_USE_MSBUILD_SERVER", StringComparison.OrdinalIgnoreCase))
                continue;
            if (entry.Value is string value) psi.Environment[key] = value;
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        if (env != null)
            foreach (var (key, value) in env) psi.Environment[key] = value;
    }

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "StepUp.Sdk.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("No StepUp.Sdk.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>Builds src/StepUp.Cli (Debug) and returns its stepup.dll.</summary>
    static string Build()
    {
        var project = Path.Combine(RepoRoot, "src", "StepUp.Cli");
        var log = Path.Combine(Path.GetTempPath(), "stepup-cli-build-" + Guid.NewGuid().ToString("N")[..10] + ".log");
        // Output to a file, not a pipe, and no build servers: nothing may outlive the build holding our handles.
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = RepoRoot, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=\"$1\"; shift; exec \"$@\" >\"$log\" 2>&1 </dev/null");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(log);
        psi.ArgumentList.Add(DotnetExe);
        foreach (var arg in new[] { "build", project, "-c", "Debug", "-nr:false", "-tl:off", "-v:m", "-p:UseSharedCompilation=false" })
            psi.ArgumentList.Add(arg);
        SetEnvironment(psi, null);
        try
        {
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet build");
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new InvalidOperationException("Building src/StepUp.Cli took more than 5 minutes:\n" + File.ReadAllText(log));
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException("Building src/StepUp.Cli failed:\n" + File.ReadAllText(log));
        }
        finally
        {
            try { File.Delete(log); } catch (IOException) { }
        }
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "stepup.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException("The build made no " + dll);
        return dll;
    }
}
