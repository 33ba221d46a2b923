namespace StepUp.Engine.Hyper;

/// <summary>
/// A value with its globals inlined and its parameter references copied: what the realization
/// algebra works on. Only <see cref="ResolvedEdge"/> links steps; everything else is static.
/// </summary>
public abstract class Resolved;

/// <summary>A path (inputs) or a string (parameters).</summary>
public sealed class ResolvedLiteral(string text) : Resolved
{
    public string Text { get; } = text;
}

/// <summary>A branch point: the value of each branch this occurrence lists.</summary>
public sealed class ResolvedChoice : Resolved
{
    readonly Resolved?[] _byBranch;

    public ResolvedChoice(int bp, IReadOnlyList<(int Branch, Resolved Value)> branches)
    {
        BranchPoint = bp;
        Branches = branches;
        _byBranch = new Resolved?[branches.Count == 0 ? 0 : branches.Max(b => b.Branch) + 1];
        foreach (var (branch, value) in branches) _byBranch[branch] = value;
    }

    public int BranchPoint { get; }
    public IReadOnlyList<(int Branch, Resolved Value)> Branches { get; }

    public Resolved? ValueOf(int branch) => branch >= 0 && branch < _byBranch.Length ? _byBranch[branch] : null;
}

/// <summary>
/// An output of another step, taken from the realizations of that step that have the graft's
/// branches. The graft's branch points and the globbed ones are consumed: the consumer does not
/// vary over them through this input. A glob collects one path per realization, in branch order.
/// </summary>
public sealed class ResolvedEdge(WorkflowStep source, string output, BranchMap graft, int[] globs, ValueOrigin origin) : Resolved
{
    public WorkflowStep Source { get; } = source;
    public string Output { get; } = output;
    public BranchMap Graft { get; } = graft;

    /// <summary>Globbed branch points, sorted.</summary>
    public int[] Globs { get; } = globs;

    public ValueOrigin Origin { get; } = origin;

    /// <summary>The branch points this input does not pass on to the consumer.</summary>
    public IReadOnlyCollection<int> Consumed => _consumed ??= Graft.BranchPointIds().Concat(Globs).ToHashSet();
    HashSet<int>? _consumed;

    public ResolvedEdge With(BranchMap graft, int[] globs) => new(Source, Output, graft, globs, Origin);
}

/// <summary>The values of a glob over a static branch point (a global's, a parameter's), joined by spaces.</summary>
public sealed class ResolvedGroup(IReadOnlyList<Resolved> items) : Resolved
{
    public IReadOnlyList<Resolved> Items { get; } = items;
}

/// <summary>A graft named a branch that this occurrence of its branch point does not list: no value.</summary>
public sealed class ResolvedNone : Resolved
{
    public static readonly ResolvedNone Instance = new();
}
