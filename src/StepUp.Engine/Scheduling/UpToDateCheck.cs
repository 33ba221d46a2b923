using StepUp.Engine.Events;
using StepUp.Engine.Graph;

namespace StepUp.Engine.Scheduling;

/// <summary>
/// Whether a ready step can be skipped (ninja's DependencyScan): it succeeded before, its outputs
/// still have the digests recorded then, its inputs are available, and its hash
/// (<see cref="StepHasher"/>) equals the one of that success. With ExplainRerun it says why a step runs.
/// </summary>
sealed class UpToDateCheck(BuildPlan plan, IReadOnlyDictionary<string, string> env, bool explain, StepReporter reporter)
{
    /// <summary>
    /// Set when nothing changed since a build that checked every step: a step that succeeded then,
    /// and depends on no environment variable, is up to date without computing its hash. The first
    /// step that runs may change what later steps read, and ends this.
    /// </summary>
    public bool TrustHashes { get; set; }

    public bool CanSkip(StepNode step)
    {
        var candidate = step.State == StepState.Succeeded && step.SuccessHash != null && OutputsBuilt(step) && InputsAvailable(step);
        if (candidate && TrustHashes && step.Definition.EnvNames.Count == 0 && step.AmendedEnv.Count == 0) return true;
        Digest? hash = candidate || explain ? StepHasher.Compute(step, env) : null;
        if (candidate && step.SuccessHash == hash) return true;
        if (explain)
            reporter.Explain(step, step.RerunReason
                ?? (step.SuccessHash == null ? "it has not succeeded before"
                : step.SuccessHash != hash ? "an input or a listed environment variable changed"
                : "an output is not built"));
        return false;
    }

    static bool OutputsBuilt(StepNode step)
    {
        foreach (var output in step.Outputs)
            if (output.State != FileState.Built) return false;
        return true;
    }

    bool InputsAvailable(StepNode step)
    {
        foreach (var input in step.Inputs)
            if (!plan.IsAvailable(input, step)) return false;
        return true;
    }
}
