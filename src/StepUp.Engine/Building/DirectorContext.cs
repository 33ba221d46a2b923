namespace StepUp.Engine.Building;

/// <summary>What every build of one director shares: job slots, running steps, and where its clients are.</summary>
public sealed class DirectorContext
{
    public JobPool Pool { get; init; } = new();
    public StepRegistry Steps { get; init; } = new();

    /// <summary>The socket steps use to call the director; null when steps cannot call back (in-process tests).</summary>
    public string? SocketPath { get; init; }

    /// <summary>The SDK's tools folder: bin/ goes on the steps' PATH and python/ on their PYTHONPATH.</summary>
    public string? ToolsDirectory { get; init; }

    /// <summary>How often a step may be deferred for amended inputs before it fails.</summary>
    public int DeferCap { get; init; } = 100;
}
