using StepUp.Engine.Running;
using StepUp.Engine.Scheduling;

namespace StepUp.Engine.Building;

/// <summary>What every build of one director shares: job slots, running steps, where steps run, and where its clients are.</summary>
public sealed class DirectorContext
{
    public JobPool Pool { get; init; } = new();
    public StepRegistry Steps { get; init; } = new();

    /// <summary>Where step commands run: spawned by /bin/sh on this machine unless told otherwise (the engine's tests run a fake).</summary>
    public IStepRunnerFactory Runner { get; init; } = ExecutorRunner.Factory;

    /// <summary>The socket steps use to call the director; null when steps cannot call back (in-process tests).</summary>
    public string? SocketPath { get; init; }

    /// <summary>The SDK's tools folder: bin/ goes on the steps' PATH and python/ on their PYTHONPATH.</summary>
    public string? ToolsDirectory { get; init; }
}
