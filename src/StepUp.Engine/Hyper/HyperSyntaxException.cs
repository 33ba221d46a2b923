namespace StepUp.Engine.Hyper;

/// <summary>A value that cannot be parsed; <see cref="Offset"/> is the character of the metadata text at fault.</summary>
public sealed class HyperSyntaxException(string code, int offset, string message) : Exception(message)
{
    public string Code { get; } = code;
    public int Offset { get; } = offset;
}
