namespace StepUp.Engine.Hyper;

/// <summary>Where a value was written: the item, the metadata (Inp, Params, Value, Via...) and the offset in it.</summary>
public sealed record ValueOrigin(SourceLocation Item, string Metadata, int Offset, string Owner)
{
    /// <summary>How a message names it: "Inp of step 'predict'".</summary>
    public string Describe() => $"{Metadata} of {Owner}";
}
