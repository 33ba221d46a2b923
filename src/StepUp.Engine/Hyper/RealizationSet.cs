namespace StepUp.Engine.Hyper;

/// <summary>
/// The realizations of one step found by a forward pass, indexed by branch so that a grafted input
/// looks up the realizations with its branches instead of scanning them all (ducttape #159).
/// </summary>
public sealed class RealizationSet
{
    readonly List<BranchMap> _items = new();
    readonly HashSet<BranchMap> _seen = new();
    Dictionary<(int, int), List<BranchMap>>? _index;

    public static RealizationSet Single(BranchMap map)
    {
        var set = new RealizationSet();
        set.Add(map);
        return set;
    }

    public IReadOnlyList<BranchMap> Items => _items;
    public int Count => _items.Count;

    public bool Add(BranchMap map)
    {
        if (!_seen.Add(map)) return false;
        _items.Add(map);
        _index = null;
        return true;
    }

    public bool Contains(BranchMap map) => _seen.Contains(map);

    /// <summary>The realizations that have every branch of <paramref name="graft"/>.</summary>
    public IEnumerable<BranchMap> Matching(BranchMap graft)
    {
        if (graft.Count == 0) return _items;
        _index ??= BuildIndex();
        List<BranchMap>? smallest = null;
        foreach (var pair in graft.Pairs)
        {
            if (!_index.TryGetValue(pair, out var list)) return Array.Empty<BranchMap>();
            if (smallest == null || list.Count < smallest.Count) smallest = list;
        }
        return graft.Count == 1 ? smallest! : smallest!.Where(m => m.Contains(graft));
    }

    Dictionary<(int, int), List<BranchMap>> BuildIndex()
    {
        var index = new Dictionary<(int, int), List<BranchMap>>();
        foreach (var map in _items)
            foreach (var pair in map.Pairs)
            {
                if (!index.TryGetValue(pair, out var list)) index[pair] = list = new List<BranchMap>();
                list.Add(map);
            }
        return index;
    }
}
