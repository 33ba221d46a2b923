using StepUp.Engine.Building;
using StepUp.Engine.Storage;

namespace StepUp.Engine.Sessions;

/// <summary>
/// An exclusive lock on a project root, held while a request works on it, so that two directors
/// (say, of two SDK versions) never change one graph at once. The OS drops it if the holder dies.
/// Only a lock held by another process is waited for: any other failure to take it (a read-only
/// or full file system, no permission) is a <see cref="StateFolderException"/> at once.
/// </summary>
public sealed class RootLock : IDisposable
{
    readonly FileStream _stream;

    RootLock(FileStream stream) { _stream = stream; }

    public static async Task<RootLock> AcquireAsync(string stateFolder, IBuildEvents events, CancellationToken ct)
    {
        StateFolder.Ensure(stateFolder);
        var path = Path.Combine(stateFolder, "lock");
        var told = false;
        while (true)
        {
            try
            {
                return new RootLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                if (!told)
                {
                    events.Line("WAIT", "Another StepUp director is working on this project; waiting for it to finish.");
                    told = true;
                }
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFolderException($"could not open its lock file: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The error of a lock that someone else holds: on Unix, .NET's flock fails with EWOULDBLOCK (the
    /// exception carries the errno); on Windows the open fails with a sharing or lock violation.
    /// </summary>
    static bool IsHeldByAnother(IOException e)
    {
        if (e.GetType() != typeof(IOException)) return false;
        if (OperatingSystem.IsWindows()) return (e.HResult & 0xFFFF) is 32 or 33;
        return e.HResult == (OperatingSystem.IsLinux() ? 11 : 35);
    }

    public void Dispose() => _stream.Dispose();
}
