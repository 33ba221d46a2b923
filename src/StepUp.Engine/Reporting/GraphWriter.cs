using System.Text;

namespace StepUp.Engine.Reporting;

/// <summary>
/// Writes the graph for people: <c>&lt;prefix&gt;.txt</c> lists every node with its fields and
/// relations, <c>&lt;prefix&gt;_provenance.dot</c> and <c>&lt;prefix&gt;_dependency.dot</c> are GraphViz
/// graphs of creator → created and supplier → consumer, and the same two graphs drawn by StepUp as
/// <c>.svg</c> next to them (no GraphViz needed). The output depends only on the graph.
/// </summary>
public static class GraphWriter
{
    const int NameWidth = 20;
    const int DigestGroup = 8;
    const int DigestGroupsPerLine = 8;

    /// <summary>The files <see cref="Write"/> writes, after the prefix.</summary>
    public static readonly string[] Suffixes = [".txt", "_provenance.dot", "_dependency.dot", "_provenance.svg", "_dependency.svg"];

    /// <summary>Writes the five files; <paramref name="prefix"/> is relative to <paramref name="root"/> unless absolute.</summary>
    public static void Write(ProjectGraph graph, string root, string prefix)
    {
        var basePath = Path.GetFullPath(Path.Combine(root, prefix));
        var folder = Path.GetDirectoryName(basePath);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllText(basePath + ".txt", FormatText(graph));
        File.WriteAllText(basePath + "_provenance.dot", FormatProvenanceDot(graph));
        File.WriteAllText(basePath + "_dependency.dot", FormatDependencyDot(graph));
        File.WriteAllText(basePath + "_provenance.svg", FormatProvenanceSvg(graph));
        File.WriteAllText(basePath + "_dependency.svg", FormatDependencySvg(graph));
    }

    /// <summary>
    /// The graph.txt text: nodes in id order, then the static folders, a blank line between nodes,
    /// '\n' line ends. A static folder shows as a node of its own, <c>st:&lt;folder&gt;/</c> (as
    /// StepUp names a static tree), created by the step that declared it, creating its static files.
    /// </summary>
    public static string FormatText(ProjectGraph graph)
    {
        var text = new StringBuilder();
        var staticFolders = StaticFolderFiles(graph);
        var needed = GraphSearch.NeededSteps(graph);
        foreach (var node in graph.AllNodes().OrderBy(n => n.Id))
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(node.IsOrphan ? "(" + node.Key + ")" : node.Key).Append('\n');
            switch (node)
            {
                case FileNode file:
                    Property(text, "state", file.State.ToString().ToUpperInvariant());
                    if (file.Stamp is { Exists: true } stamp && file.State is FileState.Static or FileState.Built or FileState.Outdated)
                        Property(text, "digest", FormatDigest(stamp.Digest.ToString()));
                    break;
                case StepNode step:
                    Property(text, "state", step.State.ToString().ToUpperInvariant());
                    Property(text, "need", NeedOf(step, needed));
                    Property(text, "workdir", FormatWorkdir(step.Definition.Workdir));
                    Property(text, "command", step.Definition.Command);
                    foreach (var (name, value) in step.Definition.EnvOverrides.OrderBy(v => v.Key, StringComparer.Ordinal))
                        Property(text, "env_overrides", name + "=" + value);
                    foreach (var glob in step.Globs)
                        Property(text, "nglob", glob.Pattern + string.Concat(glob.Subs.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $" ({s.Key}={s.Value})")));
                    if (step.LastDuration is { } duration) Property(text, "duration", FormatDuration(duration));
                    if (step.RunReason != null) Property(text, "ran because", step.RunReason);
                    break;
            }
            if (node is FileNode held && StaticFolderKey(graph, held) is { } folderKey)
                text.Append("creator".PadLeft(NameWidth)).Append("   ").Append(folderKey).Append('\n');
            else if (node.Creator != null && !ReferenceEquals(node.Creator, node))
                Relations(text, "creator", [node.Creator]);
            Relations(text, "consumes", node switch
            {
                StepNode step => step.Inputs,
                FileNode { Producer: { } producer } => [producer],
                _ => [],
            });
            Relations(text, "creates", node.Products);
            Relations(text, "supplies", node switch
            {
                StepNode step => step.Outputs.Concat(step.Volatiles),
                FileNode file => file.Consumers,
                _ => [],
            });
        }
        foreach (var (folder, files) in staticFolders)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append("st:").Append(folder).Append("/\n");
            if (files[0].Creator is { } creator) Relations(text, "creator", [creator]);
            Relations(text, "creates", files);
        }
        return text.ToString();
    }

    /// <summary>StepUp's need of a step: an optional one that a needed step reads from is needed as if it were not optional.</summary>
    static string NeedOf(StepNode step, HashSet<StepNode> needed) =>
        step.Definition.Planning ? "PLAN"
        : !step.Definition.Optional ? "DEFAULT"
        : needed.Contains(step) ? "DEFAULT (implied by sinks > OPTIONAL)" : "OPTIONAL";

    /// <summary>The static folders that hold static files of the plan (the outermost of nested ones), with those files.</summary>
    static SortedDictionary<string, List<FileNode>> StaticFolderFiles(ProjectGraph graph)
    {
        var folders = new SortedDictionary<string, List<FileNode>>(StringComparer.Ordinal);
        if (graph.StaticFolders.Count == 0) return folders;
        foreach (var file in graph.Files.Values.OrderBy(f => f.Id))
            if (StaticFolderKey(graph, file) != null)
            {
                var folder = graph.StaticFolderOf(file.Path)!;
                if (!folders.TryGetValue(folder, out var files)) folders[folder] = files = new List<FileNode>();
                files.Add(file);
            }
        return folders;
    }

    /// <summary>The key of the static folder node that stands for a static file's creator; null when the file is in none.</summary>
    static string? StaticFolderKey(ProjectGraph graph, FileNode file) =>
        graph.StaticFolders.Count > 0 && file.State is FileState.Static or FileState.Missing && !file.IsOrphan && graph.StaticFolderOf(file.Path) is { } folder
            ? "st:" + folder + "/"
            : null;

    /// <summary>GraphViz graph of provenance: every node, root included, and creator → product edges.</summary>
    public static string FormatProvenanceDot(ProjectGraph graph)
    {
        var nodes = graph.AllNodes().OrderBy(n => n.Id).ToList();
        return FormatDot(nodes, ProvenanceEdges(nodes).Select(e => (e.From.Id, e.To.Id)).ToList(), "arrowhead=empty");
    }

    /// <summary>GraphViz graph of dependencies: files and steps, supplier → consumer edges.</summary>
    public static string FormatDependencyDot(ProjectGraph graph) =>
        FormatDot(DependencyNodes(graph), DependencyEdges(graph).Select(e => (e.From.Id, e.To.Id)).ToList(), null);

    public static string FormatProvenanceSvg(ProjectGraph graph)
    {
        var nodes = graph.AllNodes().OrderBy(n => n.Id).ToList();
        return SvgGraph.Render(nodes, ProvenanceEdges(nodes), "provenance");
    }

    public static string FormatDependencySvg(ProjectGraph graph) =>
        SvgGraph.Render(DependencyNodes(graph), DependencyEdges(graph), "dependency");

    static IEnumerable<(Node From, Node To)> ProvenanceEdges(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes)
            if (node.Creator != null && !ReferenceEquals(node.Creator, node))
                yield return (node.Creator, node);
    }

    internal static List<Node> DependencyNodes(ProjectGraph graph) =>
        graph.AllNodes().Where(n => n is not RootNode).OrderBy(n => n.Id).ToList();

    internal static IEnumerable<(Node From, Node To)> DependencyEdges(ProjectGraph graph)
    {
        foreach (var step in graph.Steps.Values)
        {
            foreach (var input in step.Inputs) yield return (input, step);
            foreach (var output in step.Outputs.Concat(step.Volatiles)) yield return (step, output);
        }
    }

    /// <summary>Seconds with milliseconds, as the latest run took: "0.012 s".</summary>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " s";

    static void Property(StringBuilder text, string name, string value)
    {
        // A value of several lines continues under the '=' with an empty name.
        var lines = value.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
            text.Append((i == 0 ? name : "").PadLeft(NameWidth)).Append(" = ").Append(lines[i]).Append('\n');
    }

    static void Relations(StringBuilder text, string role, IEnumerable<Node> others)
    {
        foreach (var other in others.Distinct(ReferenceEqualityComparer.Instance).Cast<Node>()
                     .OrderBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Label, StringComparer.Ordinal))
            text.Append(role.PadLeft(NameWidth)).Append("   ").Append(other.Key).Append('\n');
    }

    /// <summary>Groups of 8 hex digits, 8 groups a line (a SHA-256 digest fits one line).</summary>
    static string FormatDigest(string digest)
    {
        var text = new StringBuilder();
        for (var i = 0; i < digest.Length; i += DigestGroup)
        {
            if (i > 0) text.Append(i % (DigestGroup * DigestGroupsPerLine) == 0 ? '\n' : ' ');
            text.Append(digest, i, Math.Min(DigestGroup, digest.Length - i));
        }
        return text.ToString();
    }

    static string FormatWorkdir(string workdir) =>
        workdir is "" or "." or "./" ? "./" : workdir.EndsWith('/') ? workdir : workdir + "/";

    static string FormatDot(List<Node> nodes, List<(long From, long To)> edges, string? edgeStyle)
    {
        var dot = new StringBuilder();
        dot.Append("strict digraph {\n");
        dot.Append("  graph [rankdir=BT bgcolor=transparent]\n");
        dot.Append("  node [penwidth=0 colorscheme=set39 style=filled fillcolor=5]\n");
        dot.Append("  edge [color=dimgray]\n");
        if (edgeStyle != null) dot.Append("  edge [").Append(edgeStyle).Append("]\n");
        foreach (var node in nodes)
        {
            dot.Append("  ").Append(node.Id).Append(" [label=\"").Append(DotLabel(node)).Append('"');
            switch (node)
            {
                case FileNode: dot.Append(" shape=rect fillcolor=9"); break;
                case RootNode: dot.Append(" shape=hexagon fillcolor=6"); break;
            }
            dot.Append("]\n");
        }
        foreach (var (from, to) in edges.Distinct().Order())
            dot.Append("  ").Append(from).Append(" -> ").Append(to).Append('\n');
        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>The node's label, wrapped for a DOT file (<see cref="LabelLines"/>) and escaped for a DOT string.</summary>
    static string DotLabel(Node node)
    {
        var label = node is RootNode ? "root" : node.Label;
        return string.Join("\\n", LabelLines.InDot(label).Select(EscapeDot));
    }

    static string EscapeDot(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
