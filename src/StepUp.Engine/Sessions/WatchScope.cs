using StepUp.Engine.Files;

namespace StepUp.Engine.Sessions;

/// <summary>What a change on disk means to a watched project.</summary>
public enum WatchChangeKind { Updated, Deleted, ProjectFile }

public sealed record WatchChange(string Path, WatchChangeKind Kind);

/// <summary>
/// The files a watch of a project looks at, as the graph was after a build: static files (also
/// missing ones), built outputs (an edit makes their step run again), the folders that hold them
/// and static folders, the steps' patterns, and the project files that define the items. A change
/// counts only when the file differs from what the graph recorded, so the build's own writes,
/// whose events may arrive after the build, start nothing.
/// </summary>
public sealed class WatchScope
{
    readonly string _root;
    readonly Dictionary<string, FileStamp?> _files = new(StringComparer.Ordinal);
    readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    readonly List<string> _staticFolders;
    readonly List<NamedPattern> _patterns = new();
    readonly HashSet<string> _projectFiles = new(StringComparer.Ordinal);

    /// <param name="graph">Null when the graph could not be loaded: then every change counts.</param>
    public WatchScope(ProjectGraph? graph, string root)
    {
        _root = Path.GetFullPath(root);
        Everything = graph == null;
        _staticFolders = graph?.StaticFolders.ToList() ?? new List<string>();
        if (graph == null) return;
        foreach (var file in graph.Files.Values)
        {
            if (file.IsOrphan || file.State is not (FileState.Static or FileState.Missing or FileState.Built or FileState.Outdated)) continue;
            _files[file.Path] = file.State == FileState.Missing ? null : file.Stamp;
            for (var slash = file.Path.LastIndexOf('/'); slash > 0; slash = file.Path.LastIndexOf('/', slash - 1))
                if (!_folders.Add(file.Path[..slash])) break;
        }
        foreach (var step in graph.Steps.Values)
        {
            if (step.IsOrphan) continue;
            foreach (var glob in step.Globs) _patterns.Add(new NamedPattern(glob.Pattern, glob.Subs));
            if (step.Creator is RootNode && step.Definition.Location.File.Length > 0)
                _projectFiles.Add(Path.GetFullPath(Path.Combine(_root, step.Definition.Location.File)));
        }
    }

    /// <summary>Nothing is known about the project: every change outside .stepup/ counts.</summary>
    public bool Everything { get; }

    /// <summary>How many files the watch compares.</summary>
    public int FileCount => _files.Count;

    /// <summary>What a change of <paramref name="fullPath"/> means, or null when it does not matter.</summary>
    public WatchChange? Classify(string fullPath)
    {
        if (_projectFiles.Contains(fullPath)) return new WatchChange(fullPath, WatchChangeKind.ProjectFile);
        var path = PathRules.ToGraphPath(_root, fullPath);
        if (!PathRules.IsInsideRoot(path) || PathRules.IsInStateFolder(path)) return null;
        var exists = FileStamper.TryStat(fullPath, out var now) || Directory.Exists(fullPath);
        var kind = exists ? WatchChangeKind.Updated : WatchChangeKind.Deleted;
        if (_files.TryGetValue(path, out var recorded))
        {
            var same = recorded is { Exists: true } ? exists && recorded.SameStat(now) : !exists;
            return same ? null : new WatchChange(path, kind);
        }
        if (Everything || _folders.Contains(path) || _patterns.Any(p => p.IsMatch(path)) ||
            _staticFolders.Any(f => path.StartsWith(f + "/", StringComparison.Ordinal)))
            return new WatchChange(path, kind);
        return null;
    }
}
