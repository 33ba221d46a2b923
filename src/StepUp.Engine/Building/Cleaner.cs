using StepUp.Engine.Files;

namespace StepUp.Engine.Building;

/// <summary>
/// Removes files StepUp made and no longer needs. A file is deleted only when a step wrote it and
/// it still has the hash recorded when it was built (or is a volatile output), and only through
/// real folders of the root (<see cref="RootGuard"/>); static files, edited outputs, files that were
/// there before a step made them and anything outside the project root are never deleted. Of the
/// folders left empty, only those StepUp created are removed. With the attic, a file is moved to
/// <c>.stepup/attic/</c> instead of being deleted, under the same rules.
/// </summary>
public sealed class Cleaner
{
    readonly string _root;
    readonly IBuildEvents _events;
    readonly RootGuard _guard;
    readonly Attic? _attic;
    readonly HashSet<string> _touchedFolders = new(StringComparer.Ordinal);

    /// <summary>The tag of the line that says a file moved to the attic.</summary>
    public const string AtticTag = "ATTIC";

    /// <param name="attic">With StepUpAttic: files move there instead of being deleted.</param>
    public Cleaner(string root, IBuildEvents events, Attic? attic = null)
    {
        _root = Path.GetFullPath(root);
        _events = events;
        _guard = new RootGuard(_root);
        _attic = attic;
    }

    public int Removed { get; private set; }

    /// <summary>Report each file that would be removed as a "DRYRUN" line; remove nothing (`stepup clean`).</summary>
    public bool DryRun { get; init; }

    /// <summary>After a complete, successful build: drop orphans nothing uses, deleting their unedited outputs.</summary>
    public void RemoveOrphans(ProjectGraph graph)
    {
        // Consumers keep an orphan file alive only while they themselves are part of the plan.
        var orphans = graph.Orphans();
        foreach (var node in orphans.OfType<StepNode>())
        {
            // A working folder StepUp made for the step goes with it, once empty (StepUp 4 does the same).
            if (!DryRun) _touchedFolders.Add(node.Definition.Workdir.TrimEnd('/'));
            graph.Remove(node);
        }
        foreach (var file in orphans.OfType<FileNode>().OrderByDescending(f => f.Path, StringComparer.Ordinal))
        {
            if (file.Consumers.Any(c => !c.IsOrphan)) continue;
            RemoveIfUnedited(file);
            graph.Remove(file);
        }
        RemoveEmptyFolders(graph.CreatedFolders);
    }

    /// <summary>
    /// After a complete, successful build: optional steps that no step of the plan needs (directly
    /// or through other optional steps) go back to pending, and their unedited outputs are removed
    /// (StepUp's automatic cleaning of optional steps), so that what is on disk is what the
    /// workflow needs. A step with an edited output keeps it, with a warning, and stays as it was.
    /// The graph keeps the steps and their outputs' nodes: a build that needs one again runs it.
    /// </summary>
    /// <returns>How many steps went back to pending.</returns>
    public int RevertOptional(ProjectGraph graph)
    {
        // Every successful build comes here, no-ops too: a graph without optional steps needs no search.
        if (!graph.Steps.Values.Any(s => s.Definition.Optional && !s.IsOrphan)) return 0;
        var reverted = 0;
        var needed = GraphSearch.NeededSteps(graph);
        foreach (var step in graph.Steps.Values.Where(s => s.Definition.Optional && !s.IsOrphan && !needed.Contains(s)).OrderBy(s => s.Id).ToList())
        {
            var files = step.Outputs.Concat(step.Volatiles).ToList();
            var checks = files.Select(f => OutputRemoval.Check(f, _root, _guard)).ToList();
            if (checks.Any(c => c is Removal.Edited or Removal.BehindLink))
            {
                // Warned about here, kept as they are: the step keeps its results too.
                for (var i = 0; i < files.Count; i++)
                    if (checks[i] is Removal.Edited or Removal.BehindLink) RemoveIfUnedited(files[i]);
                continue;
            }
            for (var i = 0; i < files.Count; i++)
            {
                if (checks[i] == Removal.NotStepUps) continue;
                RemoveIfUnedited(files[i]);
                var file = files[i];
                if (file.State != FileState.Volatile) file.State = FileState.Awaited;
                file.Stamp = null;
                file.Written = false;
                file.Dirty = true;
            }
            if (step.State == StepState.Pending) continue;
            step.State = StepState.Pending;
            step.Dirty = true;
            reverted++;
        }
        RemoveEmptyFolders(graph.CreatedFolders);
        return reverted;
    }

    /// <summary>The Clean target: every output and volatile output the graph records, if unedited.</summary>
    public void RemoveAllOutputs(ProjectGraph graph)
    {
        foreach (var file in graph.Files.Values.OrderByDescending(f => f.Path, StringComparer.Ordinal).ToList())
            RemoveIfUnedited(file);
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
            RemoveIfUnedited(file);
        RemoveEmptyFolders(graph.CreatedFolders);
    }

    void RemoveIfUnedited(FileNode file)
    {
        var full = PathRules.FullPath(_root, file.Path);
        switch (OutputRemoval.Check(file, _root, _guard))
        {
            case Removal.BehindLink when Path.Exists(full):
                _events.Report(Diagnostic.Warning(Codes.KeptBehindLink,
                    $"Output '{file.Path}' is kept: a folder on its way is a symbolic link (it leads to '{_guard.RealPath(file.Path, followLast: false)}'), and StepUp never deletes through one.",
                    new SourceLocation(full, 0, 0)));
                break;
            case Removal.Edited:
                _events.Report(Diagnostic.Warning(Codes.EditedOutputKept,
                    $"Output '{file.Path}' was edited after StepUp built it; it is kept.", new SourceLocation(full, 0, 0)));
                break;
            case Removal.Gone:
                _touchedFolders.Add(Parent(file.Path));
                break;
            case Removal.Allowed:
                Remove(file, full);
                break;
        }
    }

    /// <summary>Deletes the file, or with the attic moves it there.</summary>
    void Remove(FileNode file, string full)
    {
        try
        {
            if (!File.Exists(full)) return;
            if (DryRun)
            {
                _events.Line("DRYRUN", file.IsOrphan ? file.Path + "  # Detached output!" : file.Path);
                return;
            }
            if (_attic != null) _events.Line(AtticTag, $"{file.Path} -> {_attic.Store(file)}");
            else
            {
                File.Delete(full);
                _events.Line("REMOVE", file.Path);
            }
            Removed++;
            _touchedFolders.Add(Parent(file.Path));
        }
        catch (IOException e) { _events.Line("WARNING", $"Could not remove {file.Path}: {e.Message}"); }
        catch (UnauthorizedAccessException e) { _events.Line("WARNING", $"Could not remove {file.Path}: {e.Message}"); }
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
