namespace StepUp.Engine.Hyper;

/// <summary>
/// One <c>&lt;Plan&gt;</c> item: reach these steps via these branches. <see cref="Pattern"/> maps a
/// branch point to the branches allowed (null: <c>*</c>, every branch); a branch point the clause
/// does not name may only be at its baseline.
/// </summary>
public sealed class PlanClause(string plan, IReadOnlyList<string> reach, IReadOnlyDictionary<int, HashSet<int>?> pattern, string via, SourceLocation location)
{
    public string Plan { get; } = plan;
    public IReadOnlyList<string> Reach { get; } = reach;
    public IReadOnlyDictionary<int, HashSet<int>?> Pattern { get; } = pattern;
    public string Via { get; } = via;
    public SourceLocation Location { get; } = location;

    public string Describe() => $"plan '{Plan}' (reach {string.Join(", ", Reach)}{(Via.Length > 0 ? " via " + Via : "")})";

    /// <summary>Whether the clause allows this branch, before relaxations.</summary>
    public bool Allows(int bp, int branch) =>
        Pattern.TryGetValue(bp, out var allowed) ? allowed == null || allowed.Contains(branch) : branch == 0;
}
