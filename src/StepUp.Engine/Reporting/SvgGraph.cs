using System.Globalization;
using System.Net;
using System.Text;

namespace StepUp.Engine.Reporting;

/// <summary>
/// Draws nodes and edges of the graph as SVG with <see cref="GraphLayout"/>: steps as rounded boxes
/// coloured by state, files as square boxes, the root as a grey box; edges point from supplier to
/// consumer (or creator to product). The drawing carries its own style, so that a .svg file and the
/// build report show it alike.
/// </summary>
public static class SvgGraph
{
    const string Style =
        ".g-node rect{stroke:#556;stroke-width:1}" +
        ".g-step rect{fill:#cfe0f7}.g-file rect{fill:#fdf3c4}.g-root rect{fill:#ddd}" +
        ".g-succeeded rect{fill:#c8ecc8}.g-failed rect{fill:#f6b3b3;stroke:#b00;stroke-width:2}" +
        ".g-pending rect{fill:#e4e4e4}.g-orphan rect{stroke-dasharray:4 3}" +
        ".g-node text{font:12px monospace;fill:#111}.g-edge{fill:none;stroke:#777;stroke-width:1.2}" +
        ".g-node:hover rect{stroke:#000;stroke-width:2}";

    /// <param name="link">The address a node links to, or null for none.</param>
    public static string Render(IReadOnlyList<Node> nodes, IEnumerable<(Node From, Node To)> edges, string id, Func<Node, string?>? link = null)
    {
        var index = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < nodes.Count; i++) index[nodes[i]] = i;
        var pairs = new List<(int, int)>();
        foreach (var (from, to) in edges)
            if (index.TryGetValue(from, out var a) && index.TryGetValue(to, out var b)) pairs.Add((a, b));
        var layout = new GraphLayout(nodes.Select(n => n is RootNode ? "root" : n.Label).ToList(), pairs);

        var svg = new StringBuilder();
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").Append(id).Append("\" class=\"graph\" width=\"").Append(Num(layout.Width))
            .Append("\" height=\"").Append(Num(layout.Height)).Append("\" viewBox=\"0 0 ").Append(Num(layout.Width)).Append(' ').Append(Num(layout.Height)).Append("\">\n");
        svg.Append("<style>").Append(Style).Append("</style>\n");
        svg.Append("<defs><marker id=\"").Append(id).Append("-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
            .Append("<path d=\"M0,0L10,5L0,10z\" fill=\"#777\"/></marker></defs>\n");
        foreach (var (from, to) in layout.Edges)
        {
            var a = layout.Boxes[from];
            var b = layout.Boxes[to];
            var downwards = b.Y > a.Y;
            var (x1, y1) = (a.CenterX, downwards ? a.Y + a.Height : a.Y);
            var (x2, y2) = (b.CenterX, downwards ? b.Y : b.Y + b.Height);
            var bend = downwards ? 24 : -24;
            svg.Append("<path class=\"g-edge\" marker-end=\"url(#").Append(id).Append("-arrow)\" d=\"M").Append(Num(x1)).Append(',').Append(Num(y1))
                .Append(" C").Append(Num(x1)).Append(',').Append(Num(y1 + bend)).Append(' ').Append(Num(x2)).Append(',').Append(Num(y2 - bend))
                .Append(' ').Append(Num(x2)).Append(',').Append(Num(y2)).Append("\"/>\n");
        }
        foreach (var box in layout.Boxes)
        {
            var node = nodes[box.Index];
            var href = link?.Invoke(node);
            if (href != null) svg.Append("<a href=\"").Append(Encode(href)).Append("\">");
            svg.Append("<g class=\"g-node ").Append(Classes(node)).Append("\" data-key=\"").Append(Encode(node.Key)).Append("\">");
            svg.Append("<title>").Append(Encode(Title(node))).Append("</title>");
            svg.Append("<rect x=\"").Append(Num(box.X)).Append("\" y=\"").Append(Num(box.Y)).Append("\" width=\"").Append(Num(box.Width))
                .Append("\" height=\"").Append(Num(box.Height)).Append("\" rx=\"").Append(node is StepNode ? "8" : "1").Append("\"/>");
            for (var l = 0; l < box.Lines.Count; l++)
                svg.Append("<text x=\"").Append(Num(box.CenterX)).Append("\" y=\"").Append(Num(box.Y + 7 + 12 + l * 15))
                    .Append("\" text-anchor=\"middle\">").Append(Encode(box.Lines[l])).Append("</text>");
            svg.Append("</g>");
            if (href != null) svg.Append("</a>");
            svg.Append('\n');
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    static string Classes(Node node)
    {
        var kind = node switch { StepNode => "g-step", FileNode => "g-file", _ => "g-root" };
        var state = node switch
        {
            StepNode step => " g-" + step.State.ToString().ToLowerInvariant(),
            _ => "",
        };
        return kind + state + (node.IsOrphan && node is not RootNode ? " g-orphan" : "");
    }

    static string Title(Node node) => node switch
    {
        StepNode step => $"step {step.Label} ({step.State.ToString().ToLowerInvariant()})\n{step.Definition.Command}",
        FileNode file => $"file {file.Path} ({file.State.ToString().ToLowerInvariant()})",
        _ => "root",
    };

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
