using System.Text;

namespace StepUp.Cli.Workflow;

/// <summary>
/// Prints a build's events the way StepUp's terminal does: a tag right-aligned in 8 columns, " │ ",
/// the text; pages between rules of 80 columns with their title centred; one closing rule after
/// the last page of a run. Several threads print (the build and the control channel): one at a time.
/// </summary>
sealed class EventPrinter(TextWriter output, BuildLogs? logs = null)
{
    public const int Width = 80;
    const char RuleChar = '─';

    readonly object _gate = new();
    bool _pageOpen;

    /// <summary>
    /// `stepup clean`: the project root; removals that were done (REMOVE) print as shell lines too,
    /// and every path of a removal is relative to the current folder, as StepUp prints them.
    /// </summary>
    public string? CleanRoot { get; init; }

    public void Line(string tag, string text)
    {
        lock (_gate)
        {
            ClosePage();
            output.WriteLine(Formatted(tag, text));
            logs?.Line(tag, text);
            output.Flush();
        }
    }

    /// <summary>A run of lines with one tag (the SKIP lines of a no-op build): one write and one flush for all of them.</summary>
    public void Lines(string tag, IReadOnlyList<string> texts)
    {
        lock (_gate)
        {
            ClosePage();
            var lines = new StringBuilder();
            foreach (var text in texts) lines.Append(Formatted(tag, text)).Append(output.NewLine);
            output.Write(lines.ToString());
            logs?.Lines(tag, texts);
            output.Flush();
        }
    }

    // A file that `stepup clean` would remove, as a line of shell that removes it.
    string Formatted(string tag, string text) =>
        tag == "DRYRUN" || tag == "REMOVE" && CleanRoot != null ? RemovalLine(text, CleanRoot) : tag.PadLeft(8) + " │ " + text;

    public void Page(string title, string text)
    {
        lock (_gate)
        {
            output.WriteLine(Rule(title));
            var body = text.TrimEnd('\n');
            if (body.Length > 0) output.WriteLine(body);
            logs?.Page(Rule(title) + "\n" + (body.Length > 0 ? body + "\n" : "") + new string(RuleChar, Width) + "\n");
            _pageOpen = true;
            output.Flush();
        }
    }

    /// <summary>Writes one event; true when it was the request's "done".</summary>
    public void Event(Message message)
    {
        switch (message)
        {
            case LineEvent line:
                Line(line.Tag, line.Text);
                break;
            case LineBatchEvent lines:
                Lines(lines.Tag, lines.Texts);
                break;
            case PageEvent page:
                Page(page.Title, page.Text);
                break;
            case DiagnosticEvent diagnostic:
                var where = diagnostic.File.Length > 0 ? " (" + diagnostic.File + (diagnostic.Line > 0 ? ":" + diagnostic.Line : "") + ")" : "";
                Line(diagnostic.IsWarning ? "WARNING" : "ERROR", diagnostic.Text + where);
                break;
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            ClosePage();
            output.Flush();
        }
    }

    void ClosePage()
    {
        if (!_pageOpen) return;
        output.WriteLine(new string(RuleChar, Width));
        _pageOpen = false;
    }

    /// <summary>"path  # note" as `rm path  # note`.</summary>
    static string RemovalLine(string text, string? root)
    {
        var note = text.IndexOf("  # ", StringComparison.Ordinal);
        var path = note < 0 ? text : text[..note];
        if (root != null) path = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(root, path));
        return "rm " + ShellWord(path) + (note < 0 ? "" : text[note..]);
    }

    static string ShellWord(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=,:@%".Contains(c)) ? text : "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>"──── Title ────": the title centred in <see cref="Width"/> columns, the odd column on the right.</summary>
    public static string Rule(string title)
    {
        var middle = " " + title + " ";
        var left = Math.Max(0, (Width - middle.Length) / 2);
        var right = Math.Max(0, Width - middle.Length - left);
        return new string(RuleChar, left) + middle + new string(RuleChar, right);
    }
}
