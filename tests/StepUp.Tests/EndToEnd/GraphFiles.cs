using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>Reads the graph files as a user would: graph.txt node blocks and the dependency .dot graph.</summary>
static class GraphFiles
{
    /// <summary>
    /// The node blocks of a graph.txt: node key (e.g. <c>file:story.txt</c>; an orphan's key without
    /// its parentheses) → its lines below the key.
    /// </summary>
    public static Dictionary<string, List<string>> Nodes(string text)
    {
        var nodes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0) { current = null; continue; }
            if (current == null && !char.IsWhiteSpace(raw[0]))
            {
                var key = line.StartsWith('(') && line.EndsWith(')') ? line[1..^1] : line;
                nodes[key] = current = [];
                continue;
            }
            current?.Add(line.Trim());
        }
        return nodes;
    }

    /// <summary>The other nodes that <paramref name="node"/> lists under <paramref name="role"/> (`consumes`, `supplies`, ...).</summary>
    public static IReadOnlyList<string> Related(string text, string node, string role)
    {
        if (!Nodes(text).TryGetValue(node, out var lines)) return [];
        var prefix = role + "   ";
        return lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Trim()).ToList();
    }

    /// <summary>A dependency graph read from a GraphViz file: labelled nodes (files or steps) and edges.</summary>
    public sealed record DotGraph(Dictionary<string, (string Label, bool IsFile)> Nodes, List<(string From, string To)> Edges)
    {
        public IEnumerable<string> FileLabels => Nodes.Values.Where(n => n.IsFile).Select(n => n.Label);
        public int StepCount => Nodes.Values.Count(n => !n.IsFile);

        /// <summary>
        /// The graph with each step named by what it consumes and makes (labels differ between a
        /// named `&lt;Step&gt;` and a step labelled by its command): a set of `from -> to` strings.
        /// </summary>
        public SortedSet<string> Structure()
        {
            string Name(string id)
            {
                var (label, isFile) = Nodes[id];
                if (isFile) return "file:" + label;
                var inp = Edges.Where(e => e.To == id).Select(e => Nodes[e.From].Label).Order(StringComparer.Ordinal);
                var outp = Edges.Where(e => e.From == id).Select(e => Nodes[e.To].Label).Order(StringComparer.Ordinal);
                return "step(inp=" + string.Join(",", inp) + "; out=" + string.Join(",", outp) + ")";
            }
            return new SortedSet<string>(Edges.Select(e => Name(e.From) + " -> " + Name(e.To)), StringComparer.Ordinal);
        }

        /// <summary>This graph without the given nodes (by label) and their edges.</summary>
        public DotGraph Without(params string[] labels)
        {
            var drop = Nodes.Where(n => labels.Contains(n.Value.Label)).Select(n => n.Key).ToHashSet();
            return new DotGraph(
                Nodes.Where(n => !drop.Contains(n.Key)).ToDictionary(n => n.Key, n => n.Value),
                Edges.Where(e => !drop.Contains(e.From) && !drop.Contains(e.To)).ToList());
        }
    }

    static readonly Regex NodeLine = new(@"^\s*(\d+)\s*\[label=""((?:[^""\\]|\\.)*)""([^\]]*)\]\s*$");
    static readonly Regex EdgeLine = new(@"^\s*(\d+)\s*->\s*(\d+)\s*$");

    public static DotGraph ReadDot(string text)
    {
        var nodes = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        var edges = new List<(string, string)>();
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (NodeLine.Match(line) is { Success: true } n)
            {
                // Long labels are wrapped after spaces and slashes with `\n`; a path has no spaces.
                var label = n.Groups[2].Value.Replace("\\n", "").Replace("\\\"", "\"").Replace("\\\\", "\\");
                nodes[n.Groups[1].Value] = (label, n.Groups[3].Value.Contains("shape=rect", StringComparison.Ordinal));
            }
            else if (EdgeLine.Match(line) is { Success: true } e)
            {
                edges.Add((e.Groups[1].Value, e.Groups[2].Value));
            }
        }
        return new DotGraph(nodes, edges);
    }
}

/// <summary>python3 for the steps that are Python scripts.</summary>
static class PythonSteps
{
    /// <summary>The python3 on PATH (steps find it through `#!/usr/bin/env python3`); Inconclusive when there is none.</summary>
    public static string Require()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "python3");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Inconclusive("python3 is not on PATH: Python steps cannot run.");
        return "";
    }
}
