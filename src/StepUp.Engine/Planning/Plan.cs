using StepUp.Engine.Graph;

namespace StepUp.Engine.Planning;

/// <summary>A static file or folder as declared: folders make every file under them static.</summary>
public sealed record StaticSpec(string Path, SourceLocation Location);

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
}
