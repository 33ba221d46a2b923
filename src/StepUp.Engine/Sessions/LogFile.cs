namespace StepUp.Engine.Sessions;

/// <summary>
/// An append-only log of timestamped lines, tagged with the process id: the director's own log and
/// each project's .stepup/director.log. It stays small: past <see cref="MaxBytes"/> the lines so
/// far move to <c>&lt;path&gt;.1</c> (replacing the older one) and the log starts anew.
/// </summary>
public sealed class LogFile(string path)
{
    public const long MaxBytes = 1024 * 1024;

    readonly object _gate = new();

    public string Path { get; } = path;

    public void Write(string message)
    {
        lock (_gate)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                var line = $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{Environment.ProcessId}] {message}{Environment.NewLine}";
                // Before the line, so that the newest line is always in the log itself.
                var log = new FileInfo(Path);
                if (log.Exists && log.Length + line.Length > MaxBytes) Rotate();
                File.AppendAllText(Path, line);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Copies and truncates rather than renames: the director's standard output and error are
    /// appended to its log by descriptor, and stay appended to this path.
    /// </summary>
    void Rotate()
    {
        File.Copy(Path, Path + ".1", overwrite: true);
        using var truncate = new FileStream(Path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite);
    }
}
