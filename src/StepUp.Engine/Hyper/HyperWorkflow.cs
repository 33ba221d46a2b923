namespace StepUp.Engine.Hyper;

/// <summary>The parsed and resolved workflow: branch points, steps (hyper steps in dependency order) and plans.</summary>
public sealed class HyperWorkflow
{
    public BranchPointRegistry Registry { get; } = new();

    /// <summary>Every Step item by name, hyper or not (non-hyper steps are sources of outputs).</summary>
    public Dictionary<string, WorkflowStep> Steps { get; } = new(StringComparer.Ordinal);

    /// <summary>The hyper steps, every step after the steps it takes inputs from.</summary>
    public List<WorkflowStep> Ordered { get; } = new();

    /// <summary>Plans by name, each a list of clauses (one per Plan item).</summary>
    public Dictionary<string, List<PlanClause>> Plans { get; } = new(StringComparer.Ordinal);

    /// <summary>Each hyper step's consumers (through edges), for graft relaxations.</summary>
    public Dictionary<WorkflowStep, List<WorkflowStep>> Consumers { get; } = new();
}
