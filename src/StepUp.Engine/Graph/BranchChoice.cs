namespace StepUp.Engine.Graph;

/// <summary>One branch point of a realization and the branch it takes; the baseline is the branch point's first branch.</summary>
public readonly record struct BranchChoice(string BranchPoint, string Branch, bool IsBaseline);
