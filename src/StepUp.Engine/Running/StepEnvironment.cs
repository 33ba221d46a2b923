using StepUp.Engine.Graph;
using StepUp.Protocol;

namespace StepUp.Engine.Running;

/// <summary>
/// What a step sees besides its command. The build's variables are the same for every step of a
/// build, so a runner gets them once; a step's own variables are assembled here, per step.
/// </summary>
public static class StepEnvironment
{
    /// <summary>The environment of the `dotnet build`, and how to reach StepUp from a step.</summary>
    public static Dictionary<string, string> ForBuild(IReadOnlyDictionary<string, string> request, string root, string? socketPath, string? toolsDirectory)
    {
        var env = new Dictionary<string, string>(request, StringComparer.Ordinal)
        {
            [ProtocolInfo.EnvRoot] = root,
        };
        if (socketPath != null) env[ProtocolInfo.EnvDirectorSocket] = socketPath;
        if (toolsDirectory != null)
        {
            env["PATH"] = Path.Combine(toolsDirectory, "bin") + (env.TryGetValue("PATH", out var path) && path.Length > 0 ? ":" + path : "");
            env["PYTHONPATH"] = Path.Combine(toolsDirectory, "python") + (env.TryGetValue("PYTHONPATH", out var py) && py.Length > 0 ? ":" + py : "");
        }
        return env;
    }

    /// <summary>The variables of one run of one step: its named entries, its key and its step-API token.</summary>
    public static Dictionary<string, string> ForStep(StepDefinition step, string token)
    {
        var env = new Dictionary<string, string>(step.Variables, StringComparer.Ordinal)
        {
            [ProtocolInfo.EnvStepKey] = step.Key,
            [ProtocolInfo.EnvStepToken] = token,
        };
        return env;
    }
}
