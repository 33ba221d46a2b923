using System.Collections;

namespace StepUp.Engine.Graph;

/// <summary>
/// An insertion-ordered set of nodes with O(1) add and remove, so that re-planning thousands of
/// products never walks a list per change.
/// </summary>
public sealed class NodeSet : IEnumerable<Node>
{
    readonly Dictionary<Node, LinkedListNode<Node>> _index = new(ReferenceEqualityComparer.Instance);
    readonly LinkedList<Node> _order = new();

    public int Count => _index.Count;

    public bool Contains(Node node) => _index.ContainsKey(node);

    public void Add(Node node)
    {
        if (!_index.ContainsKey(node)) _index.Add(node, _order.AddLast(node));
    }

    public bool Remove(Node node)
    {
        if (!_index.Remove(node, out var link)) return false;
        _order.Remove(link);
        return true;
    }

    public IEnumerator<Node> GetEnumerator() => _order.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
