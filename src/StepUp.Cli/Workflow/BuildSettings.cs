namespace StepUp.Cli.Workflow;

/// <summary>What `stepup build` was asked to do (docs/cli.md).</summary>
sealed class BuildSettings
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public bool KeepGoing { get; init; }
    public bool Watch { get; init; }
    public bool ExplainRerun { get; init; }
    public bool Clean { get; init; } = true;
    public IReadOnlyList<string> Targets { get; init; } = [];
    public IReadOnlyDictionary<string, int> Resources { get; init; } = new Dictionary<string, int>();
    public int DeferCap { get; init; } = Contract.DeferCap;
}
