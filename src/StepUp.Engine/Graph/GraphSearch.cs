namespace StepUp.Engine.Graph;

/// <summary>
/// The searches over steps that planning, the build loop and the step API need: a cycle, and a
/// shortest path. The caller gives the edges, so one search serves plans (step definitions) and
/// graphs (step nodes) alike; each is O(nodes + edges).
/// </summary>
public static class GraphSearch
{
    /// <summary>
    /// The steps of the plan that are needed: every one that is not optional (a left-out realization
    /// too, which keeps its results), the producers of their inputs, and so on. An optional step
    /// outside the set is needed by nothing.
    /// </summary>
    public static HashSet<StepNode> NeededSteps(ProjectGraph graph)
    {
        var needed = new HashSet<StepNode>(ReferenceEqualityComparer.Instance);
        var toVisit = new Stack<StepNode>();
        foreach (var step in graph.Steps.Values)
            if (!step.IsOrphan && !step.Definition.Optional && needed.Add(step)) toVisit.Push(step);
        while (toVisit.TryPop(out var step))
            foreach (var input in step.Inputs)
                if (input.Producer is { IsOrphan: false } producer && needed.Add(producer)) toVisit.Push(producer);
        return needed;
    }

    /// <summary>
    /// A cycle among the nodes reachable from <paramref name="starts"/> along <paramref name="next"/>,
    /// in edge order with its first node repeated at the end; null when there is none.
    /// </summary>
    public static List<T>? FindCycle<T>(IEnumerable<T> starts, Func<T, IEnumerable<T>> next) where T : class
    {
        // A node maps to true while it is on the current path, to false once it is finished.
        var onPath = new Dictionary<T, bool>(ReferenceEqualityComparer.Instance);
        var path = new List<T>();
        var edges = new Stack<IEnumerator<T>>();
        foreach (var start in starts)
        {
            if (onPath.ContainsKey(start)) continue;
            Enter(start);
            while (edges.Count > 0)
            {
                var pending = edges.Peek();
                if (!pending.MoveNext())
                {
                    edges.Pop().Dispose();
                    onPath[path[^1]] = false;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                var to = pending.Current;
                if (!onPath.TryGetValue(to, out var open)) Enter(to);
                else if (open)
                {
                    var cycle = path.GetRange(IndexOf(path, to), path.Count - IndexOf(path, to));
                    cycle.Add(to);
                    return cycle;
                }
            }
        }
        return null;

        void Enter(T node)
        {
            onPath[node] = true;
            path.Add(node);
            edges.Push(next(node).GetEnumerator());
        }
    }

    /// <summary>
    /// The shortest path along <paramref name="next"/> from one of <paramref name="starts"/> to a node
    /// that <paramref name="isGoal"/> accepts, both ends included; null when there is none.
    /// </summary>
    public static List<T>? FindPath<T>(IEnumerable<T> starts, Func<T, IEnumerable<T>> next, Func<T, bool> isGoal) where T : class
    {
        var parent = new Dictionary<T, T?>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<T>();
        foreach (var start in starts)
            if (parent.TryAdd(start, null)) queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (isGoal(node))
            {
                var path = new List<T>();
                for (T? n = node; n != null; n = parent[n]) path.Add(n);
                path.Reverse();
                return path;
            }
            foreach (var to in next(node))
                if (parent.TryAdd(to, node)) queue.Enqueue(to);
        }
        return null;
    }

    /// <summary>The steps that make the inputs of <paramref name="step"/> (orphans aside).</summary>
    public static IEnumerable<StepNode> Producers(StepNode step)
    {
        foreach (var input in step.Inputs)
            if (input.Producer is { IsOrphan: false } producer) yield return producer;
    }

    /// <summary>The steps that read the outputs of <paramref name="step"/> (orphans aside).</summary>
    public static IEnumerable<StepNode> Consumers(StepNode step)
    {
        foreach (var output in step.Outputs)
            foreach (var consumer in output.Consumers)
                if (!consumer.IsOrphan) yield return consumer;
    }

    static int IndexOf<T>(List<T> path, T node) where T : class
    {
        for (var i = 0; i < path.Count; i++)
            if (ReferenceEquals(path[i], node)) return i;
        return -1;
    }
}
