namespace StepUp.Engine.Hyper;

/// <summary>One realization of a step with every value resolved: what becomes one StepDefinition.</summary>
public sealed class Instance
{
    public required WorkflowStep Step { get; init; }

    /// <summary>Every branch point the realization has, baselines included.</summary>
    public required BranchMap Realization { get; init; }

    /// <summary>The canonical name; null for a step without realizations.</summary>
    public string? Canonical { get; init; }

    /// <summary>The canonical name, or its MD5 when it is too long for a folder.</summary>
    public string Folder { get; init; } = "";

    /// <summary>Root-relative working folder.</summary>
    public required string Workdir { get; init; }

    /// <summary>Each input entry with its root-relative paths (a glob has several).</summary>
    public List<(ResolvedEntry Entry, List<string> Paths)> Inputs { get; } = new();

    /// <summary>The root-relative paths that came from literals (not from other steps' outputs).</summary>
    public HashSet<string> Literals { get; } = new(StringComparer.Ordinal);

    /// <summary>Each parameter with its values (a glob over a static branch point has several).</summary>
    public List<(ResolvedEntry Entry, List<string> Values)> Params { get; } = new();

    /// <summary>The realizations of hyper steps this one takes inputs from, each once.</summary>
    public IReadOnlyList<Instance> Parents => _parents;

    readonly List<Instance> _parents = new();
    readonly HashSet<Instance> _parentSet = new(ReferenceEqualityComparer.Instance);

    public void AddParent(Instance parent)
    {
        if (_parentSet.Add(parent)) _parents.Add(parent);
    }

    /// <summary>The step's key and label: <c>step/realization</c>, or the name alone for a step without realizations.</summary>
    public string Key => Canonical == null ? Step.Name : Step.Name + "/" + Folder;
}
