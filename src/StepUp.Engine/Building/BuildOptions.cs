namespace StepUp.Engine.Building;

/// <summary>The StepUp* properties of one build.</summary>
public sealed class BuildOptions
{
    public int Jobs { get; init; } = Environment.ProcessorCount;
    public bool KeepGoing { get; init; }
    public bool Clean { get; init; } = true;
    /// <summary>Root-relative outputs to build; empty builds everything.</summary>
    public IReadOnlyList<string> Targets { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, int> Resources { get; init; } = new Dictionary<string, int>();
    public bool ExplainRerun { get; init; }
    /// <summary>StepUpList: plan, and report each planned step and realization with its state, without running.</summary>
    public bool List { get; init; }
    /// <summary>StepUpDryRun: run only the out-of-date planning steps; report what else would run.</summary>
    public bool DryRun { get; init; }
}
