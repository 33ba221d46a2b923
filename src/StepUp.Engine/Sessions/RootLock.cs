using StepUp.Engine.Building;

namespace StepUp.Engine.Sessions;

/// <summary>
/// An exclusive lock on a project root, held while a request works on it, so that two directors
/// (say, of two SDK versions) never change one graph at once. The OS drops it if the holder dies.
/// </summary>
public sealed class RootLock : IDisposable
{
    readonly FileStream _stream;

    RootLock(FileStream stream) { _stream = stream; }

    public static async Task<RootLock> AcquireAsync(string stateFolder, IBuildEvents events, CancellationToken ct)
    {
        Directory.CreateDirectory(stateFolder);
        var path = Path.Combine(stateFolder, "lock");
        var told = false;
        while (true)
        {
            try
            {
                return new RootLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                if (!told)
                {
                    events.Line("WAIT", "Another StepUp director is working on this project; waiting for it to finish.");
                    told = true;
                }
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
