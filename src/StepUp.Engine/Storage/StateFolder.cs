namespace StepUp.Engine.Storage;

/// <summary>
/// A project's <c>.stepup/</c> folder, private to its user: its graph.db holds every command,
/// those that planning steps define at run time included. It is created with mode 0700, and made
/// so when it exists with wider modes. Any failure to make it is a <see cref="StateFolderException"/>.
/// </summary>
public static class StateFolder
{
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Makes sure <paramref name="folder"/> (a project's .stepup) exists and only its user may enter it.</summary>
    public static void Ensure(string folder)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
                return;
            }
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder, Private);
                return;
            }
            var mode = File.GetUnixFileMode(folder);
            if ((mode & Others) != 0) File.SetUnixFileMode(folder, mode & ~Others);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFolderException($"could not create it or make it private: {e.Message}", e);
        }
    }
}

/// <summary>StepUp cannot write its state in a project's .stepup/ folder (read-only, full, not permitted).</summary>
public sealed class StateFolderException(string message, Exception? inner = null) : IOException(message, inner);
