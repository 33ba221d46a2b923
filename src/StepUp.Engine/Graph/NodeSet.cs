using System.Collections;

namespace StepUp.Engine.Graph;

/// <summary>
/// An insertion-ordered set of nodes with O(1) add and (amortized) remove, so that re-planning
/// thousands of products never walks a list per change. Most sets hold one or two nodes: they are a
/// bare array searched in place; only a set past <see cref="IndexFrom"/> nodes gets an index, and a
/// removal there leaves a hole that a later compaction closes.
/// </summary>
public sealed class NodeSet : IEnumerable<Node>
{
    /// <summary>What nodes that create nothing show; it is never added to.</summary>
    internal static readonly NodeSet Empty = new();

    const int IndexFrom = 8;

    Node?[] _items = [];
    int _end;
    int _count;
    int _version;
    Dictionary<Node, int>? _index;

    public int Count => _count;

    public bool Contains(Node node) => IndexOf(node) >= 0;

    internal void Add(Node node)
    {
        if (IndexOf(node) >= 0) return;
        if (_end == _items.Length) MakeRoom();
        _items[_end] = node;
        _index?.Add(node, _end);
        _end++;
        _count++;
        _version++;
        if (_index == null && _count > IndexFrom) Reindex();
    }

    internal bool Remove(Node node)
    {
        var at = IndexOf(node);
        if (at < 0) return false;
        _count--;
        _version++;
        if (_index == null)
        {
            Array.Copy(_items, at + 1, _items, at, _end - at - 1);
            _items[--_end] = null;
            return true;
        }
        _index.Remove(node);
        _items[at] = null;
        if (_count <= _end / 2) Compact();
        return true;
    }

    int IndexOf(Node node)
    {
        if (_index != null) return _index.TryGetValue(node, out var at) ? at : -1;
        for (var i = 0; i < _end; i++)
            if (ReferenceEquals(_items[i], node)) return i;
        return -1;
    }

    void MakeRoom()
    {
        if (_count < _end) Compact();
        if (_end == _items.Length) Array.Resize(ref _items, Math.Max(1, _items.Length * 2));
    }

    /// <summary>Closes the holes, keeping the order; the index goes once the set is small again.</summary>
    void Compact()
    {
        var to = 0;
        for (var from = 0; from < _end; from++)
            if (_items[from] is { } node) _items[to++] = node;
        Array.Clear(_items, to, _end - to);
        _end = to;
        if (_items.Length > 2 * Math.Max(_end, 1)) Array.Resize(ref _items, Math.Max(_end, 1));
        if (_count <= IndexFrom) _index = null;
        else Reindex();
    }

    void Reindex()
    {
        _index = new Dictionary<Node, int>(_count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < _end; i++)
            if (_items[i] is { } node) _index.Add(node, i);
    }

    public IEnumerator<Node> GetEnumerator()
    {
        var version = _version;
        for (var i = 0; i < _end; i++)
        {
            if (_items[i] is not { } node) continue;
            yield return node;
            if (version != _version) throw new InvalidOperationException("The set changed while it was enumerated.");
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
