namespace StepUp.Engine.Graph;

/// <summary>
/// The folders StepUp created for outputs and working folders, as root-relative graph paths. Only
/// these are removed when a cleanup leaves them empty: a folder that was there before StepUp is the
/// user's. Additions and removals are tracked, so that a save writes only what changed.
/// </summary>
public sealed class FolderSet
{
    readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    readonly HashSet<string> _changed = new(StringComparer.Ordinal);

    public int Count => _folders.Count;

    public bool Contains(string graphFolder) => _folders.Contains(graphFolder);

    public void Add(string graphFolder)
    {
        if (_folders.Add(graphFolder)) _changed.Add(graphFolder);
    }

    public void Remove(string graphFolder)
    {
        if (_folders.Remove(graphFolder)) _changed.Add(graphFolder);
    }

    /// <summary>Used by the store when it loads the saved folders.</summary>
    internal void AddLoaded(string graphFolder) => _folders.Add(graphFolder);

    /// <summary>Folders added or removed since the last save; <see cref="Contains"/> tells which.</summary>
    internal IReadOnlyCollection<string> Changed => _changed;

    internal void MarkSaved() => _changed.Clear();
}
