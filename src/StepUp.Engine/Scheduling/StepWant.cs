namespace StepUp.Engine.Scheduling;

/// <summary>What a build wants of a step it needs (ninja's Plan keeps the same in its want map).</summary>
enum StepWant
{
    /// <summary>Wanted, and waiting for inputs that are not available yet.</summary>
    Inputs,
    /// <summary>Inputs ready; waits for the step that defined it to run or be skipped.</summary>
    Creator,
    /// <summary>In the ready queue.</summary>
    Ready,
    /// <summary>Ready, but held by the resource pool until a step holding resources ends.</summary>
    Resources,
    Running,
    /// <summary>Ran, was skipped, or failed: settled for this build.</summary>
    Done,
}
