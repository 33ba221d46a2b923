using System.Text;

namespace StepUp.Engine.Reporting;

/// <summary>
/// How a node's label is broken into lines in both drawings of the graph, the DOT files and the SVG
/// boxes: each line of the label wrapped greedily, breaking after spaces and slashes (paths break at
/// their folders); a longer word stays whole. Each drawing has its own width, side by side here.
/// </summary>
static class LabelLines
{
    const int DotWidth = 20;
    const int BoxWidth = 24;

    /// <summary>The lines of a node's label in a DOT file.</summary>
    public static List<string> InDot(string label) => Of(label, DotWidth);

    /// <summary>The lines of a node's box in an SVG drawing.</summary>
    public static List<string> InBox(string label) => Of(label, BoxWidth);

    static List<string> Of(string label, int width)
    {
        var lines = new List<string>();
        foreach (var paragraph in label.Replace("\r\n", "\n").Split('\n')) Wrap(paragraph, width, lines);
        return lines;
    }

    static void Wrap(string text, int width, List<string> lines)
    {
        var line = new StringBuilder();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != ' ' && text[i] != '/') continue;
            var end = Math.Min(i + 1, text.Length);
            var word = text[start..end];
            start = end;
            if (line.Length > 0 && line.Length + word.TrimEnd(' ').Length > width)
            {
                lines.Add(line.ToString().TrimEnd(' '));
                line.Clear();
            }
            line.Append(word);
        }
        if (line.Length > 0 || text.Length == 0) lines.Add(line.ToString().TrimEnd(' '));
    }
}
