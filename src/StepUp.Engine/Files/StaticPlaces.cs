namespace StepUp.Engine.Files;

/// <summary>
/// The real places of the user's static files and folders, which no step may write. Files come
/// from a lookup (the plan's statics, or the graph's) by real graph path; folders are few and kept
/// here, so a check costs one lookup per folder level of the path.
/// </summary>
public sealed class StaticPlaces(RootGuard guard, Func<string, string?> staticFileAt)
{
    readonly Dictionary<string, string> _folders = new(StringComparer.Ordinal);

    /// <summary>Makes a declared static folder (a graph path) off limits, wherever its links lead.</summary>
    public void AddFolder(string graphFolder) => _folders.TryAdd(guard.RealPath(graphFolder, followLast: true), graphFolder + "/");

    /// <summary>
    /// The static file (as declared) or static folder (as declared, with a trailing '/') at the real
    /// graph path <paramref name="realPath"/>; null when it is neither.
    /// </summary>
    public string? At(string realPath)
    {
        if (staticFileAt(realPath) is { } file) return file;
        if (_folders.TryGetValue(".", out var root)) return root;
        for (var slash = realPath.LastIndexOf('/'); slash > 0; slash = realPath.LastIndexOf('/', slash - 1))
            if (_folders.TryGetValue(realPath[..slash], out var folder)) return folder;
        return null;
    }
}
