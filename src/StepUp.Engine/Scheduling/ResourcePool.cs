namespace StepUp.Engine.Scheduling;

/// <summary>
/// The named resources of one build (StepUpResources, e.g. gpu=1): a running step holds the units
/// its definition asks for. A ready step that finds too few waits here; when a step that held
/// resources ends, every waiting step is tried again (ninja's Pool delays edges the same way).
/// The job slots every build shares are the <see cref="JobPool"/>.
/// </summary>
sealed class ResourcePool(IReadOnlyDictionary<string, int> available)
{
    readonly Dictionary<string, int> _inUse = new(StringComparer.Ordinal);
    List<PlannedStep> _waiting = new();

    /// <summary>Takes the step's units if all are free; otherwise takes nothing.</summary>
    public bool TryTake(StepDefinition step)
    {
        foreach (var (name, units) in step.Resources)
            if (InUse(name) + units > available.GetValueOrDefault(name)) return false;
        foreach (var (name, units) in step.Resources) _inUse[name] = InUse(name) + units;
        return true;
    }

    public void GiveBack(StepDefinition step)
    {
        foreach (var (name, units) in step.Resources) _inUse[name] -= units;
    }

    public void Wait(PlannedStep planned) => _waiting.Add(planned);

    /// <summary>The steps that waited, to be tried again now that units came back.</summary>
    public List<PlannedStep> TakeWaiting()
    {
        var waiting = _waiting;
        _waiting = new List<PlannedStep>();
        return waiting;
    }

    int InUse(string name) => _inUse.GetValueOrDefault(name);
}
