namespace StepUp.Engine.Hyper;

/// <summary>A named Inp or Params entry (or an unnamed input, Name null) with its resolved value.</summary>
public sealed record ResolvedEntry(string? Name, EntrySpec Spec, Resolved Value);

/// <summary>
/// One Step item as the realization algebra sees it. A hyper step has realizations; any other step
/// is only a source of outputs for references (<c>$out@step</c>), with a single empty realization.
/// </summary>
public sealed class WorkflowStep(string name, ItemSpec item, int order)
{
    public string Name { get; } = name;
    public ItemSpec Item { get; } = item;

    /// <summary>The item's position among the Step items: realizations are planned in item order.</summary>
    public int Order { get; } = order;

    /// <summary>Labelled step/realization and run in its realization folder.</summary>
    public bool IsHyper { get; set; }

    /// <summary>Parsed Inp, Out and Params entries (empty for a step planned as in §2).</summary>
    public List<EntrySpec> Entries { get; } = new();

    public List<ResolvedEntry> Inputs { get; } = new();
    public List<ResolvedEntry> Params { get; } = new();

    /// <summary>Outputs: name (null when unnamed) and path as written, relative to the step's working folder.</summary>
    public List<(string? Name, string Path)> Outputs { get; } = new();

    /// <summary>For a step planned as in §2: its named outputs, root-relative.</summary>
    public Dictionary<string, string> FixedOutputs { get; } = new(StringComparer.Ordinal);

    /// <summary>The Workdir metadata, root-relative, or null when the step has none.</summary>
    public string? Workdir { get; set; }

    /// <summary>Every branch point some realization of the step can have (its own and inherited).</summary>
    public HashSet<int> Space { get; } = new();

    /// <summary>The inputs that link to other steps, each occurrence once.</summary>
    public List<ResolvedEdge> Edges { get; } = new();

    /// <summary>The steps this one takes inputs from (edges only, not parameter copies).</summary>
    public IEnumerable<WorkflowStep> Sources => Edges.Select(e => e.Source).Distinct();

    /// <summary>(branch point, branch) pairs this step grafts on its inputs, globs expanded.</summary>
    public HashSet<(int Bp, int Branch)> Grafts { get; } = new();

    public EntrySpec? Entry(string name) => Entries.FirstOrDefault(e => e.Name == name);

    public override string ToString() => Name;
}
