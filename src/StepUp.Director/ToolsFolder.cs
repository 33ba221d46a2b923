using StepUp.Engine.Planning;
using StepUp.Engine.Sessions;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>
/// What steps find first on PATH and PYTHONPATH: a `stepup` launcher and the Python package, in the
/// director's private folder (bin/ and python/). The package folder is only read: NuGet does not
/// keep file modes, and a shared or read-only package folder (a CI image filled by root) cannot be
/// made executable by its users.
/// </summary>
static class ToolsFolder
{
    /// <summary>Writes the folder anew; null when the package has no clients (in-process tests) or it cannot be written.</summary>
    public static string? Prepare(Endpoint endpoint, LogFile log)
    {
        // The director runs from the package's tools/director/ or its ahead-of-time twin tools/director-<rid>/.
        // The steps' `stepup` stays the portable one: on a cluster, a step may run on another platform.
        var package = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, ".."));
        var cli = Path.Combine(package, "cli", "stepup.dll");
        var python = Path.Combine(package, "python");
        if (!File.Exists(cli) && !Directory.Exists(python)) return null;
        var folder = endpoint.ToolsPath;
        try
        {
            var pythonLink = Path.Combine(folder, "python");
            if (new FileInfo(pythonLink).LinkTarget != null) File.Delete(pythonLink);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(Path.Combine(folder, "bin"));
            WriteLauncher(folder, "stepup",
                "# The `stepup` command of StepUp's steps (docs/step-api.md), written by the director.\n" +
                "exec \"${DOTNET_HOST_PATH:-dotnet}\" " + ShellQuote.Quote(cli) + " \"$@\"\n");
            WriteLauncher(folder, "sc-render-jinja",
                "# The command of render_jinja() steps (docs/python-api.md), written by the director.\n" +
                "PYTHONPATH=" + ShellQuote.Quote(pythonLink) + "${PYTHONPATH:+:$PYTHONPATH} exec python3 -m stepup.core.render_jinja \"$@\"\n");
            if (Directory.Exists(python)) Directory.CreateSymbolicLink(pythonLink, python);
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Write($"cannot write the steps' tools to {folder} ({e.Message}): steps run without the `stepup` command and the Python package");
            return null;
        }
    }

    static void WriteLauncher(string folder, string name, string body)
    {
        var launcher = Path.Combine(folder, "bin", name);
        File.WriteAllText(launcher, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
