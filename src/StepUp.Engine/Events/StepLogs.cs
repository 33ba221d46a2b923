using System.Text;
using StepUp.Engine.Running;
using StepUp.Engine.Storage;

namespace StepUp.Engine.Events;

/// <summary>
/// The output of each step's latest run, kept in <c>.stepup/logs/&lt;step&gt;.out</c> and <c>.err</c>
/// after the build: the terminal logger shows a failure's error, which carries only the last lines,
/// and the rest must still be somewhere. A run with no output on a stream removes that stream's
/// old file, so what is there always belongs to the latest run. The runner already bounds the text
/// (it keeps the end).
/// </summary>
sealed class StepLogs(string root)
{
    public const string FolderName = "logs";

    readonly string _folder = Path.Combine(root, GraphStore.FolderName, FolderName);

    // Whether the folder exists, looked up once per build: most steps write nothing to keep.
    bool? _folderExists;

    /// <summary>Where the step's output of this run is kept; null for a stream it did not write to, or that could not be kept.</summary>
    public (string? Stdout, string? Stderr) Keep(StepNode step, RunResult result)
    {
        var name = FileNameOf(step.Label);
        return (Keep(name + ".out", result.Stdout), Keep(name + ".err", result.Stderr));
    }

    string? Keep(string fileName, string text)
    {
        var path = Path.Combine(_folder, fileName);
        try
        {
            _folderExists ??= Directory.Exists(_folder);
            if (text.Length == 0)
            {
                if (_folderExists == true) File.Delete(path);
                return null;
            }
            if (_folderExists == false)
            {
                Directory.CreateDirectory(_folder);
                _folderExists = true;
            }
            File.WriteAllText(path, text);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The label where it is a plain file name; otherwise its plain characters and a hash of the
    /// label, so that two labels never share a file.
    /// </summary>
    public static string FileNameOf(string label)
    {
        var plain = new StringBuilder(Math.Min(label.Length, 80));
        foreach (var c in label.Length > 80 ? label[..80] : label)
            plain.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        var name = plain.ToString();
        if (name == label && name.Trim('.').Length > 0) return name;
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(label)) hash = (hash ^ b) * 16777619;
        return name + "-" + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
