namespace StepUp.Engine.Planning;

/// <summary>A static file or folder as declared: folders make every file under them static.</summary>
public sealed record StaticSpec(string Path, SourceLocation Location);

/// <summary>
/// What the planner may know besides the items: the steps the graph holds (realizations the plans
/// leave out stay in the graph while the workflow can still produce them) and whether to explain
/// what the plans leave out.
/// </summary>
public sealed record PlanningContext(IEnumerable<StepDefinition> Known, bool Explain = false);

/// <summary>A validated plan: the steps and static files a creator defines.</summary>
public sealed class Plan
{
    public List<StepDefinition> Steps { get; } = new();
    public List<StaticSpec> Statics { get; } = new();

    /// <summary>The static folders themselves (their files are in <see cref="Statics"/>): no step may write into them.</summary>
    public List<StaticSpec> StaticFolders { get; } = new();
    public List<Diagnostic> Diagnostics { get; } = new();
    public bool IsValid => Diagnostics.All(d => d.Severity != Severity.Error);

    /// <summary>True when the plan lists a folder's files: then equal items need not mean an equal plan.</summary>
    public bool ReadsFolders { get; set; }

    /// <summary>
    /// When planning for StepUpList at detailed verbosity: the realizations the plans or a graft left
    /// out, each with the reason.
    /// </summary>
    public List<string> LeftOutReasons { get; } = new();
}
