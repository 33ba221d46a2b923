using StepUp.Engine.Files;
using StepUp.Engine.Running;
using StepUp.Engine.Scheduling;

namespace StepUp.Engine.Building;

/// <summary>
/// What a finished run leaves: its outputs stamped (not trusted until it succeeded), the inputs that
/// changed while it ran, and its hash, taken now because amended inputs are known only after the
/// command ended. A success is recorded only together with that hash.
/// </summary>
sealed class RunOutcome
{
    static readonly List<FileNode> NoFiles = new();
    static readonly List<string> NoPaths = new();

    readonly StepNode _step;
    readonly Digest _hash;
    readonly StepBasis _basis;

    public IReadOnlyList<FileNode> ChangedInputs { get; }
    public IReadOnlyList<string> MissingOutputs { get; }

    /// <summary>The missing outputs that are folders: the step made a folder where a file belongs.</summary>
    public IReadOnlyList<string> FolderOutputs { get; }

    RunOutcome(StepNode step, Digest hash, StepBasis basis, List<FileNode>? changedInputs, List<string>? missingOutputs, List<string>? folderOutputs)
    {
        FolderOutputs = folderOutputs ?? NoPaths;
        _step = step;
        _hash = hash;
        _basis = basis;
        ChangedInputs = changedInputs ?? NoFiles;
        MissingOutputs = missingOutputs ?? NoPaths;
    }

    public static RunOutcome Measure(StepNode step, string root, IReadOnlyDictionary<string, string> env)
    {
        var changed = FindChangedInputs(step, root);
        var hash = StepHasher.Compute(step, env);
        var basis = StepBasis.Of(step, env);
        List<string>? missing = null, folders = null;
        foreach (var output in step.Outputs)
        {
            var full = PathRules.FullPath(root, output.Path);
            var stamp = FileStamper.Stamp(full, output.Stamp);
            output.Dirty = true;
            if (stamp.Exists) { output.Stamp = stamp; output.State = FileState.Outdated; continue; }
            output.State = FileState.Awaited;
            (missing ??= new List<string>()).Add(output.Path);
            if (Directory.Exists(full)) (folders ??= new List<string>()).Add(output.Path);
        }
        step.Dirty = true;
        step.RerunReason = null;
        step.SuccessHash = null;
        return new RunOutcome(step, hash, basis, changed, missing, folders);
    }

    /// <summary>The static and built inputs whose content is no longer what the graph recorded (one stat each, a hash only when it changed); null when none.</summary>
    public static List<FileNode>? FindChangedInputs(StepNode step, string root)
    {
        List<FileNode>? changed = null;
        foreach (var input in step.Inputs)
            if (input.Stamp is { } before && (input.State is FileState.Static or FileState.Built) &&
                !FileStamper.Stamp(PathRules.FullPath(root, input.Path), before).SameContent(before))
                (changed ??= new List<FileNode>()).Add(input);
        return changed;
    }

    /// <summary>Inputs that changed under the build: the next build sees what they are now.</summary>
    public static void MarkChanged(IEnumerable<FileNode> inputs)
    {
        foreach (var input in inputs)
        {
            if (input.State == FileState.Built) input.State = FileState.Outdated;
            input.Dirty = true;
        }
    }

    public bool IsSuccess(RunResult result) =>
        result.StartError == null && !result.Cancelled && result.ExitCode == 0 && MissingOutputs.Count == 0 && ChangedInputs.Count == 0;

    public void RecordSuccess()
    {
        foreach (var output in _step.Outputs) output.State = FileState.Built;
        _step.State = StepState.Succeeded;
        _step.SuccessHash = _hash;
        _step.SuccessBasis = _basis;
    }

    public void RecordFailure()
    {
        _step.State = StepState.Failed;
        MarkChanged(ChangedInputs);
        // What a failed step defined is not trusted.
        foreach (var product in _step.Products.OfType<StepNode>().ToList()) ProjectGraph.SetCreator(product, null);
    }
}
