namespace StepUp.Cli.Workflow;

/// <summary>
/// StepUp's return code of `stepup build`: bit flags of the last build phase, as StepUp Core 4
/// defines them (docs/cli.md), so that scripts written for StepUp test the same bits.
/// </summary>
[Flags]
enum ReturnCode
{
    Success = 0,
    /// <summary>A usage or configuration error, or a problem inside StepUp (the director, the connection).</summary>
    Internal = 1,
    /// <summary>Ctrl-C or SIGTERM.</summary>
    Interrupted = 2,
    /// <summary>At least one step failed.</summary>
    Failed = 4,
    /// <summary>A warning (for instance a target that no step makes); never a failure by itself.</summary>
    Warning = 8,
    /// <summary>At least one step stayed pending.</summary>
    Pending = 16,
    /// <summary>The build stopped starting steps (after a failure without -k, or when asked to).</summary>
    Drained = 32,
}
