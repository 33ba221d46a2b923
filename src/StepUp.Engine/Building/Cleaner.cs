using StepUp.Engine.Files;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Building;

/// <summary>
/// Removes files StepUp made and no longer needs. A file is deleted only when a step wrote it and
/// it still has the hash recorded when it was built (or is a volatile output), and only through
/// real folders of the root (<see cref="RootGuard"/>); static files, edited outputs, files that were
/// there before a step made them and anything outside the project root are never deleted. Of the
/// folders left empty, only those StepUp created are removed.
/// </summary>
public sealed class Cleaner
{
    readonly string _root;
    readonly IBuildEvents _events;
    readonly RootGuard _guard;
    readonly HashSet<string> _touchedFolders = new(StringComparer.Ordinal);

    public Cleaner(string root, IBuildEvents events)
    {
        _root = Path.GetFullPath(root);
        _events = events;
        _guard = new RootGuard(_root);
    }

    public int Removed { get; private set; }

    /// <summary>Report each file that would be removed as a "DRYRUN" line; remove nothing (`stepup clean`).</summary>
    public bool DryRun { get; init; }

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
        RemoveEmptyFolders(graph.CreatedFolders);
    }

    /// <summary>The Clean target: every output and volatile output the graph records, if unedited.</summary>
    public void RemoveAllOutputs(ProjectGraph graph)
    {
        foreach (var file in graph.Files.Values.OrderByDescending(f => f.Path, StringComparer.Ordinal).ToList())
            DeleteIfUnedited(file);
        RemoveEmptyFolders(graph.CreatedFolders);
    }

    /// <summary>
    /// `stepup clean PATH...`: the outputs at or under the paths and those built from them (the
    /// outputs of their consumers, and so on), only orphaned ones unless <paramref name="all"/>. The
    /// graph keeps them: the next build makes what is missing again.
    /// </summary>
    public void RemoveSelected(ProjectGraph graph, IReadOnlyList<string> paths, bool all)
    {
        bool Chosen(FileNode f) => paths.Any(p => p == "." || f.Path == p || f.Path.StartsWith(p + "/", StringComparison.Ordinal));
        var selected = new HashSet<FileNode>();
        var queue = new Queue<FileNode>(graph.Files.Values.Where(Chosen));
        while (queue.TryDequeue(out var file))
        {
            if (!selected.Add(file)) continue;
            foreach (var step in file.Consumers)
                foreach (var product in step.Outputs.Concat(step.Volatiles)) queue.Enqueue(product);
        }
        foreach (var file in selected.Where(f => all || f.IsOrphan).OrderByDescending(f => f.Path, StringComparer.Ordinal))
            DeleteIfUnedited(file);
        RemoveEmptyFolders(graph.CreatedFolders);
    }

    void DeleteIfUnedited(FileNode file)
    {
        // Static, missing, undeclared, never built, or found there rather than written: not StepUp's to delete.
        if (!file.Written || !PathRules.IsInsideRoot(file.Path) || PathRules.IsInStateFolder(file.Path)) return;
        var checkContent = file.State is FileState.Built or FileState.Outdated or FileState.Awaited && file.Stamp is { Exists: true };
        if (file.State != FileState.Volatile && !checkContent) return;
        var full = PathRules.FullPath(_root, file.Path);
        if (!_guard.MayDelete(file.Path))
        {
            if (Path.Exists(full))
                _events.Report(Diagnostic.Warning(Codes.KeptBehindLink,
                    $"Output '{file.Path}' is kept: a folder on its way is a symbolic link (it leads to '{_guard.RealPath(file.Path, followLast: false)}'), and StepUp never deletes through one.",
                    new SourceLocation(full, 0, 0)));
            return;
        }
        if (checkContent)
        {
            var recorded = file.Stamp!;
            var now = FileStamper.Stamp(full, recorded);
            if (!now.Exists) { _touchedFolders.Add(Parent(file.Path)); return; }
            if (!now.SameContent(recorded))
            {
                _events.Report(Diagnostic.Warning(Codes.EditedOutputKept,
                    $"Output '{file.Path}' was edited after StepUp built it; it is kept.", new SourceLocation(full, 0, 0)));
                return;
            }
        }
        Delete(file.Path, full, file.IsOrphan);
    }

    void Delete(string path, string full, bool orphan)
    {
        try
        {
            if (!File.Exists(full)) return;
            if (DryRun)
            {
                _events.Line("DRYRUN", orphan ? path + "  # Detached output!" : path);
                return;
            }
            File.Delete(full);
            Removed++;
            _events.Line("REMOVE", path);
            _touchedFolders.Add(Parent(path));
        }
        catch (IOException e) { _events.Line("WARNING", $"Could not remove {path}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { _events.Line("WARNING", $"Could not remove {path}: {e.Message}"); }
    }

    static string Parent(string graphPath)
    {
        var slash = graphPath.LastIndexOf('/');
        return slash < 0 ? "." : graphPath[..slash];
    }

    /// <summary>
    /// Removes folders left empty by a removal, up to (never including) the root: only those StepUp
    /// created, and only real folders of the root (never a link, never through one).
    /// </summary>
    void RemoveEmptyFolders(FolderSet created)
    {
        if (DryRun) return;
        foreach (var start in _touchedFolders.OrderByDescending(f => f.Length))
        {
            for (var folder = start; folder != "." && created.Contains(folder); folder = Parent(folder))
            {
                var full = PathRules.FullPath(_root, folder);
                try
                {
                    if (!Directory.Exists(full)) { created.Remove(folder); continue; }
                    if (!_guard.MayRemoveFolder(folder) || Directory.EnumerateFileSystemEntries(full).Any()) break;
                    Directory.Delete(full);
                    created.Remove(folder);
                }
                catch (IOException) { break; }
                catch (UnauthorizedAccessException) { break; }
            }
        }
        _touchedFolders.Clear();
    }
}
