namespace StepUp.Cli.Workflow;

/// <summary>
/// `stepup install [FOLDER]`: writes the launchers `stepup` and `sb` of this package into a folder on
/// the user's PATH. Launchers rather than links: NuGet does not keep the executable bit of the
/// package's tools/bin/ scripts.
/// </summary>
static class Installer
{
    public static int Run(PackageLayout package, string? folder, TextWriter output)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var target = Path.GetFullPath(folder ?? Path.Combine(home, ".local", "bin"));
        Directory.CreateDirectory(target);
        var cli = Path.Combine(package.Root, "tools", "cli", "stepup.dll");
        var host = PackageLayout.DotnetHost();
        var dotnet = host.Length > 0 ? host : "dotnet";
        Write(Path.Combine(target, "stepup"), $"exec {Quote(dotnet)} {Quote(cli)} \"$@\"");
        Write(Path.Combine(target, "sb"), $"exec {Quote(dotnet)} {Quote(cli)} build \"$@\"");
        output.WriteLine("Wrote " + Path.Combine(target, "stepup") + " and " + Path.Combine(target, "sb") + " (StepUp.Sdk " + package.Version + ").");
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':').Any(p => p.Length > 0 && Path.GetFullPath(p) == target))
            output.WriteLine(target + " is not on your PATH: add it, e.g. export PATH=\"" + target + ":$PATH\".");
        return 0;
    }

    static void Write(string path, string exec)
    {
        File.WriteAllText(path, "#!/bin/sh\n# StepUp's command line, written by `stepup install` (docs/cli.md).\n" + exec + "\n");
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}
