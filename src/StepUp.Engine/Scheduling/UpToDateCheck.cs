using StepUp.Engine.Events;

namespace StepUp.Engine.Scheduling;

/// <summary>
/// Whether a ready step can be skipped (ninja's DependencyScan): it succeeded before, its outputs
/// still have the digests recorded then, its inputs are available, and its hash
/// (<see cref="StepHasher"/>) equals the one of that success. It says why a step runs (in the report; with ExplainRerun also in the log).
/// </summary>
sealed class UpToDateCheck(BuildPlan plan, IReadOnlyDictionary<string, string> env, StepReporter reporter)
{
    /// <summary>
    /// Set when nothing changed since a build that checked every step: a step that succeeded then,
    /// and depends on no environment variable, is up to date without computing its hash. The first
    /// step that runs may change what later steps read, and ends this.
    /// </summary>
    public bool TrustHashes { get; set; }

    /// <param name="quiet">Say nothing about why it runs: it is only checked ahead (a held step may be skipped).</param>
    public bool CanSkip(StepNode step, bool quiet = false)
    {
        if (plan.AssumedInput(step) is { } remade)
        {
            if (!quiet) reporter.Explain(step, $"input '{remade.Path}' would be made again by step '{remade.Producer!.Label}'");
            return false;
        }
        var candidate = step.State == StepState.Succeeded && step.SuccessHash != null && OutputsBuilt(step) && InputsAvailable(step);
        if (candidate && TrustHashes && step.Definition.EnvNames.Count == 0 && step.AmendedEnv.Count == 0) return Skip(step);
        Digest? hash = candidate || step.SuccessHash != null ? StepHasher.Compute(step, env) : null;
        if (candidate && step.SuccessHash == hash) return Skip(step);
        if (!quiet) reporter.Explain(step, Reason(step, hash));
        return false;
    }

    /// <summary>A skip that would surprise: an input or output was edited and kept its content. Said at detailed verbosity.</summary>
    bool Skip(StepNode step)
    {
        Note(step, step.Inputs);
        Note(step, step.Outputs);
        return true;
    }

    void Note(StepNode step, IReadOnlyList<FileNode> files)
    {
        for (var i = 0; i < files.Count; i++)
            if (files[i].EditedSameContent)
                reporter.SkipNote(step, $"'{files[i].Path}' was edited, but its content is the same");
    }

    /// <summary>
    /// The cause in words: the first run, a failed previous run, or each part of the step that changed
    /// since its last success (<see cref="StepBasis"/>), and each output that is missing or edited.
    /// </summary>
    string Reason(StepNode step, Digest? hash)
    {
        if (step.SuccessHash == null)
            return step.State == StepState.Failed ? "its previous run failed" : step.RerunReason ?? "first run: it has not run before";
        var parts = new List<string>();
        if (hash != null && hash != step.SuccessHash && step.SuccessBasis is { } basis)
            parts.AddRange(basis.ChangesTo(StepBasis.Of(step, env), step));
        foreach (var output in step.Outputs)
            if (output.State != FileState.Built)
                parts.Add(output.State == FileState.Outdated && !output.Vanished ? $"output '{output.Path}' was edited" : $"output '{output.Path}' is missing");
        if (parts.Count == 0)
            return step.RerunReason ?? (hash != step.SuccessHash ? "an input or a listed environment variable changed" : "an output is not built");
        return string.Join("; ", parts);
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
