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

    /// <summary>
    /// The step's named inputs, outputs and parameters with their resolved values (paths relative to
    /// the workdir): environment variables of its process, and part of its hash.
    /// </summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = EmptyVariables;

    /// <summary>The canonical realization name of a hyper step's realization; null for other steps.</summary>
    public string? Realization { get; init; }

    /// <summary>
    /// A realization the plans leave out of this build: it keeps its place in the graph and its
    /// results, and runs only when a wanted step needs it, like an optional step. Not part of the
    /// step's identity: selecting it again reuses what it built.
    /// </summary>
    public bool LeftOut { get; init; }

    static readonly IReadOnlyDictionary<string, string> EmptyVariables = new Dictionary<string, string>();

    public StepDefinition WithInputs(IReadOnlyList<string> inputs) => new()
    {
        Key = Key, Label = Label, Command = Command, Workdir = Workdir, Inputs = inputs, Outputs = Outputs,
        Volatiles = Volatiles, EnvNames = EnvNames, Optional = Optional, Planning = Planning,
        Resources = Resources, Location = Location, Variables = Variables, Realization = Realization, LeftOut = LeftOut,
    };

    public bool SameAs(StepDefinition other) =>
        Key == other.Key && Label == other.Label && Command == other.Command && Workdir == other.Workdir &&
        Optional == other.Optional && Planning == other.Planning &&
        Inputs.SequenceEqual(other.Inputs) && Outputs.SequenceEqual(other.Outputs) &&
        Volatiles.SequenceEqual(other.Volatiles) && EnvNames.SequenceEqual(other.EnvNames) &&
        Resources.Count == other.Resources.Count &&
        Resources.All(kv => other.Resources.TryGetValue(kv.Key, out var v) && v == kv.Value) &&
        Variables.Count == other.Variables.Count &&
        Variables.All(kv => other.Variables.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
