namespace StepUp.Engine.Reporting;

/// <summary>
/// A layered drawing of a directed graph (after Sugiyama): each node on the layer of its longest
/// path from a source, nodes in a layer ordered by the mean position of their neighbours (a few
/// sweeps down and up), layers stacked top to bottom. Edges that close a cycle are simply drawn
/// upwards. O((nodes + edges) × sweeps) plus a sort per layer, so that StepUp needs no GraphViz.
/// </summary>
public sealed class GraphLayout
{
    const int Sweeps = 4;
    const double CharWidth = 7.2;
    const double LineHeight = 15;
    const double PaddingX = 10;
    const double PaddingY = 7;
    const double GapX = 18;
    const double GapY = 46;

    public sealed class Box
    {
        public required int Index { get; init; }
        public required IReadOnlyList<string> Lines { get; init; }
        public int Layer { get; internal set; }
        public double Order { get; internal set; }
        public double X { get; internal set; }
        public double Y { get; internal set; }
        public double Width { get; internal set; }
        public double Height { get; internal set; }
        public double CenterX => X + Width / 2;
    }

    public IReadOnlyList<Box> Boxes { get; }
    public IReadOnlyList<(int From, int To)> Edges { get; }
    public double Width { get; private set; }
    public double Height { get; private set; }

    /// <param name="labels">One label per node; a label is wrapped after spaces and slashes.</param>
    /// <param name="edges">Indexes into <paramref name="labels"/>.</param>
    public GraphLayout(IReadOnlyList<string> labels, IReadOnlyList<(int From, int To)> edges)
    {
        Boxes = labels.Select((label, i) => new Box { Index = i, Lines = LabelLines.InBox(label) }).ToList();
        Edges = edges.Where(e => e.From != e.To).Distinct().ToList();
        var outgoing = Neighbours(e => e.From, e => e.To);
        var incoming = Neighbours(e => e.To, e => e.From);
        AssignLayers(outgoing, incoming);
        var layers = Boxes.GroupBy(b => b.Layer).OrderBy(g => g.Key).Select(g => g.OrderBy(b => b.Index).ToList()).ToList();
        for (var l = 0; l < layers.Count; l++) Renumber(layers[l]);
        for (var sweep = 0; sweep < Sweeps; sweep++)
        {
            for (var l = 1; l < layers.Count; l++) Reorder(layers[l], incoming);
            for (var l = layers.Count - 2; l >= 0; l--) Reorder(layers[l], outgoing);
        }
        Place(layers);
    }

    List<int>[] Neighbours(Func<(int From, int To), int> from, Func<(int From, int To), int> to)
    {
        var lists = new List<int>[Boxes.Count];
        for (var i = 0; i < lists.Length; i++) lists[i] = new List<int>();
        foreach (var edge in Edges) lists[from(edge)].Add(to(edge));
        return lists;
    }

    /// <summary>Longest path from the sources in topological order (Kahn); nodes on a cycle go below what reaches them.</summary>
    void AssignLayers(List<int>[] outgoing, List<int>[] incoming)
    {
        var pending = incoming.Select(list => list.Count).ToArray();
        var queue = new Queue<int>(Enumerable.Range(0, Boxes.Count).Where(i => pending[i] == 0));
        var placed = new bool[Boxes.Count];
        var scan = 0;
        while (true)
        {
            while (queue.TryDequeue(out var node))
            {
                placed[node] = true;
                foreach (var next in outgoing[node])
                {
                    Boxes[next].Layer = Math.Max(Boxes[next].Layer, Boxes[node].Layer + 1);
                    if (--pending[next] == 0) queue.Enqueue(next);
                }
            }
            // A cycle: release its first node as if the edges into it were not there.
            while (scan < placed.Length && placed[scan]) scan++;
            if (scan == placed.Length) break;
            pending[scan] = 0;
            queue.Enqueue(scan);
        }
    }

    void Reorder(List<Box> layer, List<int>[] neighbours)
    {
        foreach (var box in layer)
        {
            var list = neighbours[box.Index];
            if (list.Count > 0) box.Order = list.Average(n => Boxes[n].Order);
        }
        layer.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : a.Index.CompareTo(b.Index));
        Renumber(layer);
    }

    static void Renumber(List<Box> layer)
    {
        for (var i = 0; i < layer.Count; i++) layer[i].Order = i;
    }

    void Place(List<List<Box>> layers)
    {
        var y = GapX;
        var rowWidths = new List<double>();
        foreach (var layer in layers)
        {
            var rowHeight = 0.0;
            var x = 0.0;
            foreach (var box in layer)
            {
                box.Width = Math.Ceiling(box.Lines.Max(l => l.Length) * CharWidth + 2 * PaddingX);
                box.Height = box.Lines.Count * LineHeight + 2 * PaddingY;
                box.X = x;
                box.Y = y;
                x += box.Width + GapX;
                rowHeight = Math.Max(rowHeight, box.Height);
            }
            rowWidths.Add(x - GapX);
            y += rowHeight + GapY;
        }
        Width = rowWidths.Count == 0 ? 0 : rowWidths.Max() + 2 * GapX;
        Height = y - GapY + GapX;
        // Centre each layer under the widest one.
        for (var l = 0; l < layers.Count; l++)
        {
            var shift = (Width - rowWidths[l]) / 2;
            foreach (var box in layers[l]) box.X += shift;
        }
    }
}
