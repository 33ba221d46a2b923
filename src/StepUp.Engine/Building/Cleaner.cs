using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Building;

/// <summary>
/// Removes files StepUp made and no longer needs. A file is deleted only when it is an output
/// with the hash recorded when it was built (or a volatile output); static files, edited outputs
/// and anything outside the project root are never deleted.
/// </summary>
public sealed class Cleaner
{
    readonly string _root;
    readonly IBuildEvents _events;
    readonly HashSet<string> _touchedFolders = new(StringComparer.Ordinal);

    public Cleaner(string root, IBuildEvents events)
    {
        _root = Path.GetFullPath(root);
        _events = events;
    }

    public int Removed { get; private set; }

    /// <summary>After a complete, successful build: drop orphans nothing uses, deleting their unedited outputs.</summary>
    public void RemoveOrphans(ProjectGraph graph)
    {
        // Consumers keep an orphan file alive only while they themselves are part of the plan.
        var orphans = graph.Orphans();
        foreach (var node in orphans.OfType<StepNode>()) graph.Remove(node);
        foreach (var file in orphans.OfType<FileNode>().OrderByDescending(f => f.Path, StringComparer.Ordinal))
        {
            if (file.Consumers.Any(c => !c.IsOrphan)) continue;
            DeleteIfUnedited(file);
            graph.Remove(file);
        }
        RemoveEmptyFolders();
    }

    /// <summary>The Clean target: every output and volatile output the graph records, if unedited.</summary>
    public void RemoveAllOutputs(ProjectGraph graph)
    {
        foreach (var file in graph.Files.Values.OrderByDescending(f => f.Path, StringComparer.Ordinal).ToList())
            DeleteIfUnedited(file);
        RemoveEmptyFolders();
    }

    void DeleteIfUnedited(FileNode file)
    {
        if (!PathRules.IsInsideRoot(file.Path) || PathRules.IsInStateFolder(file.Path)) return;
        var full = PathRules.FullPath(_root, file.Path);
        switch (file.State)
        {
            case FileState.Volatile:
                Delete(file.Path, full);
                return;
            case FileState.Built or FileState.Outdated or FileState.Awaited when file.Stamp is { Exists: true } recorded:
                var now = FileStamper.Stamp(full, recorded);
                if (!now.Exists) { _touchedFolders.Add(Path.GetDirectoryName(full)!); return; }
                if (now.SameContent(recorded)) Delete(file.Path, full);
                else
                    _events.Report(Diagnostic.Warning(Codes.EditedOutputKept,
                        $"Output '{file.Path}' was edited after StepUp built it; it is kept.", new SourceLocation(full, 0, 0)));
                return;
            default:
                return; // static, missing, undeclared, or never built: not StepUp's to delete
        }
    }

    void Delete(string path, string full)
    {
        try
        {
            if (!File.Exists(full)) return;
            File.Delete(full);
            Removed++;
            _events.Line("REMOVE", path);
            _touchedFolders.Add(Path.GetDirectoryName(full)!);
        }
        catch (IOException e) { _events.Line("WARNING", $"Could not remove {path}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { _events.Line("WARNING", $"Could not remove {path}: {e.Message}"); }
    }

    /// <summary>Removes folders left empty by a removal, up to (never including) the root.</summary>
    void RemoveEmptyFolders()
    {
        foreach (var start in _touchedFolders.OrderByDescending(f => f.Length))
        {
            for (var dir = start; dir.Length > _root.Length && dir.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir)!)
            {
                try
                {
                    if (!Directory.Exists(dir) || Directory.EnumerateFileSystemEntries(dir).Any()) break;
                    Directory.Delete(dir);
                }
                catch (IOException) { break; }
                catch (UnauthorizedAccessException) { break; }
            }
        }
        _touchedFolders.Clear();
    }
}
