using System.Diagnostics;

namespace StepUp.Tests.Python;

/// <summary>
/// Runs the unittest suite of the Python client (src/python, shipped as tools/python) with the
/// machine's python3, so that `dotnet test` covers it too.
/// </summary>
[TestClass]
public sealed class PythonClientTests
{
    static readonly string[] StepUpVariables =
    {
        "STEPUP_DIRECTOR_SOCKET", "STEPUP_STEP_TOKEN", "STEPUP_ROOT", "STEPUP_STEP_KEY", "STEPUP_EXTERNAL_SOURCES",
        "STEPUP_PATH_FILTER", "STEPUP_STEP_NEED", "STEPUP_JOB_I", "STEPUP_MAX_OUTPUT_SIZE",
    };

    [TestMethod]
    public void UnittestSuitePasses()
    {
        var python = FindOnPath("python3");
        if (python == null)
            Assert.Inconclusive("python3 is not on PATH: the Python client's tests did not run.");
        var root = FindRepoRoot();
        var testDir = Path.Combine("tests", "StepUp.Tests", "Python");

        var start = new ProcessStartInfo(python)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-m", "unittest", "discover", "-v", "-s", testDir, "-t", testDir })
            start.ArgumentList.Add(arg);
        start.Environment["PYTHONPATH"] = Path.Combine(root, "src", "python");
        // No __pycache__ in src/python: it is packed as the SDK's tools/python.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        foreach (var name in StepUpVariables)
            start.Environment.Remove(name);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + python);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail("The Python tests did not finish within 5 minutes.\n" + stdout.Result + stderr.Result);
        }
        process.WaitForExit();
        var output = stdout.Result + stderr.Result;
        Assert.AreEqual(0, process.ExitCode, "python3 -m unittest failed:\n" + output);
        Assert.IsTrue(output.Contains("OK", StringComparison.Ordinal), "No unittest summary in:\n" + output);
    }

    static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
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
}
