namespace StepUp.Engine.Hyper;

/// <summary>
/// A value as written in Inp, Out, Params or a Global (reference §9.2), before references and
/// globals are resolved. <see cref="Offset"/> is where it starts in the metadata text, for errors.
/// </summary>
public abstract record ValueNode(int Offset);

/// <summary>A path or a string: <c>text</c> or <c>"text with spaces"</c>.</summary>
public sealed record LiteralValue(int Offset, string Text) : ValueNode(Offset);

/// <summary><c>(BP: a=x b=y)</c>, <c>(BP: x y)</c> or a sequence <c>(BP: 1..10)</c>; the first branch is the baseline.</summary>
public sealed record BranchPointValue(int Offset, string Name, IReadOnlyList<BranchValue> Branches, bool IsSequence) : ValueNode(Offset);

public sealed record BranchValue(int Offset, string Name, ValueNode Value);

/// <summary><c>$entry@step</c>, or <c>@step</c> (Entry null: the name being assigned), with an optional graft.</summary>
public sealed record ReferenceValue(int Offset, string? Entry, string Step, GraftSpec? Graft) : ValueNode(Offset);

/// <summary><c>$g</c>, or <c>@</c> (Name null: the global named like the entry), with an optional graft.</summary>
public sealed record GlobalValue(int Offset, string? Name, GraftSpec? Graft) : ValueNode(Offset);

/// <summary><c>[BP:b,BP2:*]</c>: a graft; a term without branch is a glob over that branch point.</summary>
public sealed record GraftSpec(int Offset, IReadOnlyList<GraftTerm> Terms);

public sealed record GraftTerm(int Offset, string BranchPoint, string? Branch)
{
    public bool IsGlob => Branch == null;
    public override string ToString() => BranchPoint + ":" + (Branch ?? "*");
}
