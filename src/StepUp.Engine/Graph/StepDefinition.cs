namespace StepUp.Engine.Graph;

/// <summary>
/// A step as planned: everything that decides what it does. Two definitions that are equal (the
/// location aside) are the same step, so re-planning keeps its state.
/// </summary>
public sealed class StepDefinition
{
    /// <summary>The step's identity in its project: the item name, plus a realization suffix later.</summary>
    public required string Key { get; init; }

    /// <summary>The text that names the step in logs and graphs.</summary>
    public required string Label { get; init; }

    /// <summary>The shell command with placeholders already replaced.</summary>
    public required string Command { get; init; }

    /// <summary>Relative to the project root, '/'-separated; "." is the root.</summary>
    public string Workdir { get; init; } = ".";

    /// <summary>Root-relative paths.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Outputs { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Volatiles { get; init; } = Array.Empty<string>();

    /// <summary>Environment variables whose values are part of the step hash.</summary>
    public IReadOnlyList<string> EnvNames { get; init; } = Array.Empty<string>();

    public bool Optional { get; init; }
    public bool Planning { get; init; }

    /// <summary>Units of named resources held while running, e.g. gpu=1.</summary>
    public IReadOnlyDictionary<string, int> Resources { get; init; } = NoResources;

    /// <summary>The resources of every step that holds none (shared: a graph has one definition per step).</summary>
    public static readonly IReadOnlyDictionary<string, int> NoResources = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;

    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>False: <see cref="Argv"/> runs without a shell (StepUp 4's run()); <see cref="Command"/> is then only its label.</summary>
    public bool Shell { get; init; } = true;

    /// <summary>With <see cref="Shell"/> false: the program and its arguments.</summary>
    public IReadOnlyList<string> Argv { get; init; } = Array.Empty<string>();

    /// <summary>Variables set for the command (leading VAR=value words); part of the step's hash.</summary>
    public IReadOnlyDictionary<string, string> EnvOverrides { get; init; } = EmptyVariables;

    /// <summary>The expected wall time in seconds, for the dispatch order (longest remaining chain first). Not part of the step's identity.</summary>
    public double Duration { get; init; } = DefaultDuration;

    public const double DefaultDuration = 1.0;

    /// <summary>
    /// The step's named inputs, outputs and parameters with their resolved values (paths relative to
    /// the workdir): environment variables of its process, and part of its hash.
    /// </summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = EmptyVariables;

    /// <summary>The canonical realization name of a hyper step's realization; null for other steps.</summary>
    public string? Realization { get; init; }

    /// <summary>
    /// Every branch point of a realization with its branch, baselines included, as planned now (a
    /// definition loaded from the graph has none): what a realization glob (StepUpInvalidate) matches.
    /// Not part of the step's identity: <see cref="Realization"/> already is.
    /// </summary>
    public IReadOnlyList<BranchChoice> Branches { get; init; } = Array.Empty<BranchChoice>();

    /// <summary>
    /// A realization the plans leave out of this build: it keeps its place in the graph and its
    /// results, and runs only when a wanted step needs it, like an optional step. Not part of the
    /// step's identity: selecting it again reuses what it built.
    /// </summary>
    public bool LeftOut { get; init; }

    /// <summary>
    /// Where the step asks to run and what it asks of Slurm (<see cref="Planning.ExecutionMetadata"/>),
    /// as written; not part of its hash.
    /// </summary>
    public IReadOnlyDictionary<string, string> Execution { get; init; } = EmptyVariables;

    internal static readonly IReadOnlyDictionary<string, string> EmptyVariables = new Dictionary<string, string>();

    public StepDefinition WithInputs(IReadOnlyList<string> inputs) => With(inputs, Shell, Argv, EnvOverrides, Duration);

    /// <summary>The same step, run as StepUp 4's API asks: without a shell, with variables set for it, with an expected duration.</summary>
    public StepDefinition WithLaunch(bool shell, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> envOverrides, double duration) =>
        With(Inputs, shell, argv, envOverrides, duration);

    StepDefinition With(IReadOnlyList<string> inputs, bool shell, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> envOverrides, double duration) => new()
    {
        Key = Key, Label = Label, Command = Command, Workdir = Workdir, Inputs = inputs, Outputs = Outputs,
        Volatiles = Volatiles, EnvNames = EnvNames, Optional = Optional, Planning = Planning,
        Resources = Resources, Location = Location, Variables = Variables, Realization = Realization, Branches = Branches, LeftOut = LeftOut,
        Shell = shell, Argv = argv, EnvOverrides = envOverrides, Duration = duration,
        Execution = Execution,
    };

    public bool SameAs(StepDefinition other) =>
        Key == other.Key && Label == other.Label && Command == other.Command && Workdir == other.Workdir &&
        Optional == other.Optional && Planning == other.Planning &&
        Inputs.SequenceEqual(other.Inputs) && Outputs.SequenceEqual(other.Outputs) &&
        Volatiles.SequenceEqual(other.Volatiles) && EnvNames.SequenceEqual(other.EnvNames) &&
        Resources.Count == other.Resources.Count &&
        Resources.All(kv => other.Resources.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
        Variables.Count == other.Variables.Count &&
        Variables.All(kv => other.Variables.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
        Shell == other.Shell && Argv.SequenceEqual(other.Argv) &&
        EnvOverrides.Count == other.EnvOverrides.Count &&
        EnvOverrides.All(kv => other.EnvOverrides.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
        Execution.Count == other.Execution.Count &&
        Execution.All(kv => other.Execution.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
