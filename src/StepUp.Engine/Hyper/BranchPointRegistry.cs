namespace StepUp.Engine.Hyper;

/// <summary>
/// Every branch point of the workflow with its branches in order (the first is the baseline), as
/// small integer ids. Every explicit occurrence of a branch point must list the same branches with
/// the same baseline; sequences (<c>(Fold: 1..4)</c> under one branch, <c>(Fold: 1..8)</c> under
/// another) need only the same baseline, and the branch point has the union of their branches.
/// </summary>
public sealed class BranchPointRegistry
{
    sealed class Entry(string name, ValueOrigin first, bool sequence)
    {
        public string Name { get; } = name;
        public ValueOrigin First { get; } = first;
        public bool FirstIsSequence { get; } = sequence;
        public List<string> Branches { get; } = new();
        public Dictionary<string, int> Index { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<int>> ByValue { get; } = new(StringComparer.Ordinal);
        public HashSet<string>? ExplicitSet { get; set; }
        public ValueOrigin? ExplicitOrigin { get; set; }
    }

    readonly List<Entry> _points = new();
    readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    public int Count => _points.Count;

    public int? Find(string name) => _byName.TryGetValue(name, out var id) ? id : null;
    public string Name(int bp) => _points[bp].Name;
    public IReadOnlyList<string> Branches(int bp) => _points[bp].Branches;
    public string BranchName(int bp, int branch) => _points[bp].Branches[branch];
    public int? FindBranch(int bp, string name) => _points[bp].Index.TryGetValue(name, out var b) ? b : null;

    /// <summary>The branches named <paramref name="text"/>, or else the branches whose literal value is it.</summary>
    public IReadOnlyCollection<int> FindBranchByNameOrValue(int bp, string text)
    {
        var point = _points[bp];
        if (point.Index.TryGetValue(text, out var b)) return new[] { b };
        return point.ByValue.TryGetValue(text, out var set) ? set : Array.Empty<int>();
    }

    /// <summary>Records one occurrence; returns the branch point's id, or a diagnostic when it is inconsistent.</summary>
    public int Register(BranchPointValue value, ValueOrigin origin, Func<ValueOrigin, string, string, Diagnostic> error, List<Diagnostic> problems)
    {
        if (!_byName.TryGetValue(value.Name, out var id))
        {
            id = _points.Count;
            _points.Add(new Entry(value.Name, origin, value.IsSequence));
            _byName[value.Name] = id;
        }
        var point = _points[id];
        var baseline = value.Branches[0].Name;
        if (point.Branches.Count > 0 && point.Branches[0] != baseline)
        {
            problems.Add(error(origin, Codes.InconsistentBranchPoint,
                $"Branch point {value.Name} has baseline '{baseline}' here but '{point.Branches[0]}' in {point.First.Describe()} (line {point.First.Item.Line}); the first branch, the baseline, must be the same everywhere."));
            return id;
        }
        if (!value.IsSequence)
        {
            var set = value.Branches.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
            if (point.ExplicitSet == null)
            {
                point.ExplicitSet = set;
                point.ExplicitOrigin = origin;
            }
            else if (!point.ExplicitSet.SetEquals(set))
            {
                var other = point.ExplicitOrigin!;
                problems.Add(error(origin, Codes.InconsistentBranchPoint,
                    $"Branch point {value.Name} has branches ({string.Join(" ", value.Branches.Select(b => b.Name))}) here but ({string.Join(" ", point.ExplicitSet.Order(StringComparer.Ordinal))}) in {other.Describe()} (line {other.Item.Line}); every occurrence must list the same branches."));
                return id;
            }
        }
        foreach (var branch in value.Branches)
        {
            if (!point.Index.TryGetValue(branch.Name, out var index))
            {
                index = point.Branches.Count;
                point.Branches.Add(branch.Name);
                point.Index[branch.Name] = index;
            }
            if (branch.Value is LiteralValue literal)
            {
                if (!point.ByValue.TryGetValue(literal.Text, out var ids)) point.ByValue[literal.Text] = ids = new HashSet<int>();
                ids.Add(index);
            }
        }
        return id;
    }
}
