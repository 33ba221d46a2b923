namespace StepUp.Cli.Workflow;

/// <summary>What `stepup build` was asked to do (docs/cli.md).</summary>
sealed class BuildSettings
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public bool KeepGoing { get; init; }
    public bool Watch { get; init; }

    /// <summary>-W: while watching, the first change of a file of the project starts the next build.</summary>
    public bool WatchFirst { get; init; }
    public bool ExplainRerun { get; init; }
    public bool Clean { get; init; } = true;
    public IReadOnlyList<string> Targets { get; init; } = [];
    public IReadOnlyDictionary<string, int> Resources { get; init; } = new Dictionary<string, int>();
    public int DeferCap { get; init; } = Contract.DeferCap;
}
