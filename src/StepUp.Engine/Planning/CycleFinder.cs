using StepUp.Engine.Graph;

namespace StepUp.Engine.Planning;

/// <summary>Finds one dependency cycle among steps in O(steps + edges).</summary>
public static class CycleFinder
{
    /// <summary>Returns the steps of a cycle, the first repeated at the end, or null.</summary>
    public static List<StepDefinition>? Find(IReadOnlyList<StepDefinition> steps, IReadOnlyDictionary<string, StepDefinition> producers)
    {
        var color = new Dictionary<StepDefinition, int>(ReferenceEqualityComparer.Instance);
        var parent = new Dictionary<StepDefinition, StepDefinition>(ReferenceEqualityComparer.Instance);
        foreach (var start in steps)
        {
            if (color.ContainsKey(start)) continue;
            var stack = new Stack<(StepDefinition step, int next)>();
            stack.Push((start, 0));
            color[start] = 1;
            while (stack.Count > 0)
            {
                var (step, next) = stack.Pop();
                if (next < step.Inputs.Count)
                {
                    stack.Push((step, next + 1));
                    if (!producers.TryGetValue(step.Inputs[next], out var producer)) continue;
                    if (!color.TryGetValue(producer, out var c))
                    {
                        color[producer] = 1;
                        parent[producer] = step;
                        stack.Push((producer, 0));
                    }
                    else if (c == 1)
                    {
                        // producer is on the stack: walk back from step to it.
                        var cycle = new List<StepDefinition> { producer };
                        for (var s = step; !ReferenceEquals(s, producer); s = parent[s]) cycle.Add(s);
                        cycle.Add(producer);
                        cycle.Reverse();
                        return cycle;
                    }
                }
                else
                {
                    color[step] = 2;
                }
            }
        }
        return null;
    }
}
