namespace StepUp.Engine.Hyper;

/// <summary>
/// Turns "offset N in the Inp metadata of the item at line L" into a file position: it reads the
/// project file, finds the attribute (or child element) after the item's start and counts the
/// value's characters, an XML entity such as <c>&amp;gt;</c> counting as one. MSBuild does not tell
/// tasks where metadata was written, and this runs only when there is an error to report.
/// </summary>
public sealed class ValueLocator
{
    readonly Dictionary<string, string[]?> _files = new(StringComparer.Ordinal);

    public SourceLocation Locate(ValueOrigin origin)
    {
        var item = origin.Item;
        if (item.File.Length == 0 || item.Line <= 0) return item;
        var lines = Lines(item.File);
        if (lines == null || item.Line > lines.Length) return item;
        var start = FindValueStart(lines, item.Line - 1, Math.Max(0, item.Column - 1), origin.Metadata);
        if (start == null) return item;
        var (line, col) = start.Value;
        var remaining = origin.Offset;
        while (remaining > 0 && line < lines.Length)
        {
            var text = lines[line];
            if (col >= text.Length)
            {
                // A line break inside an attribute is one (normalized) character.
                line++;
                col = 0;
                remaining--;
                continue;
            }
            if (text[col] == '&' && text.IndexOf(';', col) is var semicolon and > 0 && semicolon - col <= 10) col = semicolon + 1;
            else col++;
            remaining--;
        }
        return new SourceLocation(item.File, line + 1, col + 1);
    }

    string[]? Lines(string file)
    {
        if (_files.TryGetValue(file, out var lines)) return lines;
        try { lines = File.ReadAllLines(file); }
        catch (IOException) { lines = null; }
        catch (UnauthorizedAccessException) { lines = null; }
        _files[file] = lines;
        return lines;
    }

    /// <summary>The position of the first character of the value, searching from the item's start.</summary>
    static (int Line, int Column)? FindValueStart(string[] lines, int line, int column, string metadata)
    {
        for (var l = line; l < lines.Length && l < line + 200; l++)
        {
            var text = lines[l];
            for (var c = l == line ? column : 0; c < text.Length; c++)
            {
                if (At(text, c, metadata) && (c == 0 || char.IsWhiteSpace(text[c - 1])))
                {
                    var after = c + metadata.Length;
                    while (after < text.Length && text[after] == ' ') after++;
                    if (after < text.Length && text[after] == '=')
                    {
                        after++;
                        while (after < text.Length && text[after] == ' ') after++;
                        if (after < text.Length && text[after] is '"' or '\'') return (l, after + 1);
                    }
                }
                if (text[c] == '<' && At(text, c + 1, metadata + ">")) return (l, c + metadata.Length + 2);
            }
        }
        return null;
    }

    static bool At(string text, int index, string word) =>
        index + word.Length <= text.Length && string.CompareOrdinal(text, index, word, 0, word.Length) == 0;
}
