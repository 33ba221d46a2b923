namespace StepUp.Engine.Hyper;

/// <summary>
/// An immutable map from branch point to branch (both registry ids): a realization, or a part of
/// one. Stored as one sorted array of (branch point, branch) pairs, so that merging two maps, the
/// join's basic step, is a linear walk, and equal maps have equal hashes.
/// </summary>
public sealed class BranchMap : IEquatable<BranchMap>
{
    public static readonly BranchMap Empty = new(Array.Empty<long>());

    readonly long[] _pairs;
    readonly int _hash;

    BranchMap(long[] pairs)
    {
        _pairs = pairs;
        var hash = new HashCode();
        foreach (var p in pairs) hash.Add(p);
        _hash = hash.ToHashCode();
    }

    static long Pack(int bp, int branch) => ((long)bp << 32) | (uint)branch;
    static int BpOf(long pair) => (int)(pair >> 32);
    static int BranchOf(long pair) => (int)(pair & 0xffffffff);

    public int Count => _pairs.Length;
    public int BranchPointAt(int i) => BpOf(_pairs[i]);
    public int BranchAt(int i) => BranchOf(_pairs[i]);

    public IEnumerable<(int Bp, int Branch)> Pairs
    {
        get { foreach (var p in _pairs) yield return (BpOf(p), BranchOf(p)); }
    }

    public static BranchMap Of(IEnumerable<(int Bp, int Branch)> pairs)
    {
        var array = pairs.Select(p => Pack(p.Bp, p.Branch)).Distinct().ToArray();
        Array.Sort(array);
        for (var i = 1; i < array.Length; i++)
            if (BpOf(array[i]) == BpOf(array[i - 1])) throw new ArgumentException("A branch point appears twice in a branch map.");
        return new BranchMap(array);
    }

    /// <summary>The branch of <paramref name="bp"/>, or -1 when the map does not have it.</summary>
    public int Get(int bp)
    {
        int lo = 0, hi = _pairs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            var b = BpOf(_pairs[mid]);
            if (b == bp) return BranchOf(_pairs[mid]);
            if (b < bp) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    public bool Has(int bp) => Get(bp) >= 0;

    /// <summary>Both maps together, or null when they disagree on a branch point they share.</summary>
    public BranchMap? Merge(BranchMap other)
    {
        if (other._pairs.Length == 0) return this;
        if (_pairs.Length == 0) return other;
        var result = new long[_pairs.Length + other._pairs.Length];
        int i = 0, j = 0, n = 0;
        while (i < _pairs.Length && j < other._pairs.Length)
        {
            var a = _pairs[i];
            var b = other._pairs[j];
            var bpA = BpOf(a);
            var bpB = BpOf(b);
            if (bpA == bpB)
            {
                if (a != b) return null;
                result[n++] = a; i++; j++;
            }
            else if (bpA < bpB) { result[n++] = a; i++; }
            else { result[n++] = b; j++; }
        }
        while (i < _pairs.Length) result[n++] = _pairs[i++];
        while (j < other._pairs.Length) result[n++] = other._pairs[j++];
        if (n == _pairs.Length) return this;
        if (n == other._pairs.Length) return other;
        Array.Resize(ref result, n);
        return new BranchMap(result);
    }

    public BranchMap? With(int bp, int branch) => Merge(new BranchMap(new[] { Pack(bp, branch) }));

    /// <summary>The map without the branch points in <paramref name="remove"/>.</summary>
    public BranchMap Without(IReadOnlyCollection<int> remove)
    {
        if (remove.Count == 0 || _pairs.Length == 0) return this;
        var kept = _pairs.Where(p => !remove.Contains(BpOf(p))).ToArray();
        return kept.Length == _pairs.Length ? this : new BranchMap(kept);
    }

    /// <summary>Only the branch points in <paramref name="keep"/>.</summary>
    public BranchMap Only(Func<int, bool> keep)
    {
        var kept = _pairs.Where(p => keep(BpOf(p))).ToArray();
        return kept.Length == _pairs.Length ? this : new BranchMap(kept);
    }

    /// <summary>Every pair of <paramref name="other"/> is in this map.</summary>
    public bool Contains(BranchMap other)
    {
        foreach (var p in other._pairs)
            if (Get(BpOf(p)) != BranchOf(p)) return false;
        return true;
    }

    /// <summary>An identity for the set of branch points, for grouping maps that share it.</summary>
    public string KeySet => _keySet ??= string.Join(",", _pairs.Select(p => BpOf(p)));
    string? _keySet;

    /// <summary>The branches of the given (sorted) branch points, as a hashable key.</summary>
    public string Project(int[] bps)
    {
        var parts = new int[bps.Length];
        for (var i = 0; i < bps.Length; i++) parts[i] = Get(bps[i]);
        return string.Join(",", parts);
    }

    public int[] BranchPointIds() => _pairs.Select(BpOf).ToArray();

    public bool Equals(BranchMap? other) =>
        other != null && (ReferenceEquals(this, other) || (_hash == other._hash && _pairs.AsSpan().SequenceEqual(other._pairs)));

    public override bool Equals(object? obj) => Equals(obj as BranchMap);
    public override int GetHashCode() => _hash;
}
