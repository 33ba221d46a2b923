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
        // Reproducible outputs: tools that honour it write 1980-01-01 instead of the time of the build.
        env.TryAdd("SOURCE_DATE_EPOCH", "315532800");
        if (socketPath != null) env[ProtocolInfo.EnvDirectorSocket] = socketPath;
        if (toolsDirectory != null)
        {
            env["PATH"] = Path.Combine(toolsDirectory, "bin") + (env.TryGetValue("PATH", out var path) && path.Length > 0 ? ":" + path : "");
            env["PYTHONPATH"] = Path.Combine(toolsDirectory, "python") + (env.TryGetValue("PYTHONPATH", out var py) && py.Length > 0 ? ":" + py : "");
        }
        return env;
    }

    /// <summary>
    /// The variables StepUp sets for every step itself: a step may neither depend on them (Env) nor
    /// override them (StepUp 4's VAR=value prefixes).
    /// </summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "HERE", "ROOT", ProtocolInfo.EnvRoot, ProtocolInfo.EnvDirectorSocket, ProtocolInfo.EnvStepToken, ProtocolInfo.EnvStepKey,
        "STEPUP_JOB_I", "STEPUP_STEP_INP_DIGEST", EnvStepNeed,
    };

    public const string EnvStepNeed = "STEPUP_STEP_NEED";

    /// <summary>Linux refuses to start a program when one <c>NAME=value</c> string of its environment exceeds this (MAX_ARG_STRLEN, with its terminating zero).</summary>
    public const int MaxVariableBytes = 128 * 1024;

    /// <summary>
    /// Whether a named entry can be a variable of the step. One too long would make every program
    /// the step starts fail with "Argument list too long" (a glob over thousands of realizations
    /// reaches it), so it is left out (STEPUP0021 says so once, when the step is planned).
    /// </summary>
    public static bool FitsOneVariable(string name, string value) =>
        (name.Length + value.Length) * 3 + 2 <= MaxVariableBytes
        || name.Length + System.Text.Encoding.UTF8.GetByteCount(value) + 2 <= MaxVariableBytes;

    /// <summary>STEPUP_STEP_NEED as StepUp Core names it: why the step runs.</summary>
    public static string NeedOf(StepDefinition step, bool makesTarget) =>
        step.Planning ? "PLAN" : makesTarget ? "TARGET" : step.Optional ? "OPTIONAL" : "DEFAULT";

    /// <summary>
    /// The variables of one run of one step: its overrides (VAR=value), then its named entries, its
    /// key, its step-API token, its need, and HERE and ROOT (its workdir from the root and back).
    /// </summary>
    public static Dictionary<string, string> ForStep(StepDefinition step, string token, string need)
    {
        var env = new Dictionary<string, string>(step.EnvOverrides, StringComparer.Ordinal);
        foreach (var (name, value) in step.Variables)
            if (FitsOneVariable(name, value)) env[name] = value;
        env[ProtocolInfo.EnvStepKey] = step.Key;
        env[ProtocolInfo.EnvStepToken] = token;
        env[EnvStepNeed] = need;
        env["HERE"] = step.Workdir;
        env["ROOT"] = step.Workdir == "." || Path.IsPathRooted(step.Workdir)
            ? "."
            : string.Join('/', step.Workdir.Split('/').Select(_ => ".."));
        return env;
    }
}
