using System.Text;

namespace StepUp.Cli.Workflow;

/// <summary>
/// StepUp's logs of a build phase in .stepup/: fail.log (FAIL and ERROR lines), warning.log
/// (WARNING lines) and success.log (the others), each line with the pages that follow it. A log is
/// created by its first line; all three are removed when a build phase starts, so scripts can grep
/// them (or test that fail.log does not exist). Each log stays open for the phase (a file open per
/// line would cost more than the line in a build of thousands of steps) and is written unbuffered.
/// </summary>
sealed class BuildLogs(string root) : IDisposable
{
    static readonly string[] Names = ["fail.log", "warning.log", "success.log"];

    readonly string _folder = Path.Combine(root, ".stepup");
    readonly Dictionary<string, FileStream> _open = new(StringComparer.Ordinal);
    string _current = "success.log";

    public void StartPhase()
    {
        Dispose();
        foreach (var name in Names)
        {
            try { File.Delete(Path.Combine(_folder, name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public void Line(string tag, string text) => Lines(tag, [text]);

    /// <summary>Lines with one tag, appended at once.</summary>
    public void Lines(string tag, IReadOnlyList<string> texts)
    {
        _current = tag switch
        {
            "FAIL" or "ERROR" => "fail.log",
            "WARNING" => "warning.log",
            _ => "success.log",
        };
        var lines = new StringBuilder();
        foreach (var text in texts) lines.Append(tag.PadLeft(8)).Append(" │ ").Append(text).Append('\n');
        Append(lines.ToString());
    }

    public void Page(string text) => Append(text);

    void Append(string text)
    {
        try
        {
            if (!_open.TryGetValue(_current, out var log))
            {
                if (!Directory.Exists(_folder)) return;
                log = new FileStream(Path.Combine(_folder, _current), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
                // As File.AppendAllText with UTF-8 writes it: a new log starts with the byte order mark.
                if (log.Length == 0) log.Write(Encoding.UTF8.Preamble);
                _open.Add(_current, log);
            }
            log.Write(Encoding.UTF8.GetBytes(text));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        foreach (var log in _open.Values) log.Dispose();
        _open.Clear();
    }
}
