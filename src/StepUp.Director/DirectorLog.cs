namespace StepUp.Director;

/// <summary>The director's own log, next to its socket: start, stop, requests and failures.</summary>
sealed class DirectorLog(string path)
{
    readonly object _gate = new();

    public string Path { get; } = path;

    public void Write(string message)
    {
        lock (_gate)
        {
            try
            {
                File.AppendAllText(Path, $"{DateTime.Now:yyyy-MM-dd HH:mm:ss.fff} [{Environment.ProcessId}] {message}{Environment.NewLine}");
            }
            catch (IOException) { }
        }
    }
}
