namespace StepUp.Engine.Sessions;

/// <summary>
/// An append-only log of timestamped lines, tagged with the process id: the director's own log and
/// each project's .stepup/director.log.
/// </summary>
public sealed class LogFile(string path)
{
    readonly object _gate = new();

    public string Path { get; } = path;

    public void Write(string message)
    {
        lock (_gate)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                File.AppendAllText(Path, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{Environment.ProcessId}] {message}{Environment.NewLine}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
