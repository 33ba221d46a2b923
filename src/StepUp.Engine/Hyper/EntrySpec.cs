namespace StepUp.Engine.Hyper;

public enum EntryKind { Input, Output, Param }

/// <summary>
/// One <c>name=VALUE</c> of Inp, Out or Params. An unnamed input (a bare path) has no name; a bare
/// output path is named by itself when that is a legal name; <see cref="Explicit"/> tells the two apart.
/// </summary>
public sealed record EntrySpec(EntryKind Kind, string? Name, ValueNode Value, int Offset, bool Explicit)
{
    public string Metadata => Kind switch { EntryKind.Input => "Inp", EntryKind.Output => "Out", _ => "Params" };
}
