using System.Text;

namespace StepUp.Cli.Workflow;

/// <summary>
/// StepUp's logs of a build phase in .stepup/: fail.log (FAIL and ERROR lines), warning.log
/// (WARNING lines) and success.log (the others), each line with the pages that follow it. A log is
/// created by its first line; all three are removed when a build phase starts, so scripts can grep
/// them (or test that fail.log does not exist).
/// </summary>
sealed class BuildLogs(string root)
{
    static readonly string[] Names = ["fail.log", "warning.log", "success.log"];

    readonly string _folder = Path.Combine(root, ".stepup");
    string _current = "success.log";

    public void StartPhase()
    {
        foreach (var name in Names)
        {
            try { File.Delete(Path.Combine(_folder, name)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    public void Line(string tag, string text)
    {
        _current = tag switch
        {
            "FAIL" or "ERROR" => "fail.log",
            "WARNING" => "warning.log",
            _ => "success.log",
        };
        Append(tag.PadLeft(8) + " │ " + text + "\n");
    }

    public void Page(string text) => Append(text);

    void Append(string text)
    {
        try
        {
            if (!Directory.Exists(_folder)) return;
            File.AppendAllText(Path.Combine(_folder, _current), text, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
