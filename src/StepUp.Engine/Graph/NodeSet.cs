using System.Collections;

namespace StepUp.Engine.Graph;

/// <summary>
/// An insertion-ordered set of nodes with O(1) add and remove, so that re-planning thousands of
/// products never walks a list per change.
/// </summary>
public sealed class NodeSet : IEnumerable<Node>
{
    // Most nodes create nothing: the containers exist only once something is added.
    Dictionary<Node, LinkedListNode<Node>>? _index;
    LinkedList<Node>? _order;

    public int Count => _index?.Count ?? 0;

    public bool Contains(Node node) => _index?.ContainsKey(node) ?? false;

    public void Add(Node node)
    {
        _index ??= new Dictionary<Node, LinkedListNode<Node>>(ReferenceEqualityComparer.Instance);
        _order ??= new LinkedList<Node>();
        if (!_index.ContainsKey(node)) _index.Add(node, _order.AddLast(node));
    }

    public bool Remove(Node node)
    {
        if (_index == null || !_index.Remove(node, out var link)) return false;
        _order!.Remove(link);
        return true;
    }

    public IEnumerator<Node> GetEnumerator() =>
        _order == null ? Enumerable.Empty<Node>().GetEnumerator() : _order.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
