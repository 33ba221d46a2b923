using StepUp.Protocol;
using System.Text.RegularExpressions;

namespace StepUp.Cli.Workflow;

/// <summary>
/// The StepUp.Sdk package this command belongs to (it runs from the package's tools/cli/), seen as
/// the MSBuild SDK sees it, so that `stepup build` and `dotnet build` share one director.
/// </summary>
sealed class PackageLayout
{
    public required string Root { get; init; }
    public required string DirectorPath { get; init; }
    public required string Version { get; init; }

    public static PackageLayout OfThisCommand()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", ".."));
        return new PackageLayout
        {
            Root = root,
            // As Sdk.targets writes StepUpDirectorPath, $(StepUpSdkRoot)tools/director/StepUp.Director.dll, and the task resolves it.
            DirectorPath = ReadyToRun.Prefer(Path.GetFullPath(Path.Combine(root, "tools", "director", "StepUp.Director.dll"))),
            Version = VersionOf(root),
        };
    }

    /// <summary>StepUpSdkVersion as Sdk.props and Sdk.targets define it.</summary>
    static string VersionOf(string root)
    {
        var props = Path.Combine(root, "Sdk", "StepUp.Sdk.Version.props");
        if (File.Exists(props))
        {
            var match = Regex.Match(File.ReadAllText(props), "<StepUpSdkVersion>([^<]*)</StepUpSdkVersion>");
            if (match.Success) return match.Groups[1].Value;
        }
        return Path.GetFileName(Path.GetDirectoryName(root.TrimEnd('/')) ?? "");
    }

    /// <summary>The dotnet host that runs this command, for starting the director with the same one.</summary>
    public static string DotnetHost()
    {
        var fromMsBuild = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromMsBuild) && File.Exists(fromMsBuild)) return fromMsBuild;
        var self = Environment.ProcessPath;
        return self != null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "";
    }
}
