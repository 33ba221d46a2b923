using StepUp.Engine.Files;

namespace StepUp.Engine.Building;

/// <summary>
/// What a build lets its steps write, and what it learns from their writes. Before a step runs:
/// each output's real place is checked (<see cref="RootGuard"/>: inside the root, no static file or
/// folder), missing folders are created and remembered as StepUp's, and each output's stat data is
/// noted. After it ran: an output whose stat data changed was written by the step, which makes it
/// StepUp's to delete later (<see cref="FileNode.Written"/>) and remembers this build's number
/// (<see cref="FileNode.Build"/>); one it left alone stays the user's. With the attic, an earlier
/// output StepUp may remove (<see cref="OutputRemoval"/>) moves there before the step starts, so
/// that the step writes a fresh file and the old one is kept.
/// </summary>
public sealed class OutputWrites
{
    readonly ProjectGraph _graph;
    readonly string _root;
    readonly RootGuard _guard;
    readonly StaticPlaces _statics;
    /// <summary>Stat data of each output of a running step as it was before the step ran; null when absent.</summary>
    readonly Dictionary<FileNode, FileStamp?> _before = new(ReferenceEqualityComparer.Instance);

    readonly Attic? _attic;

    public OutputWrites(ProjectGraph graph, string root, Attic? attic = null)
    {
        _graph = graph;
        _attic = attic;
        _root = Path.GetFullPath(root);
        _guard = new RootGuard(_root);
        // At run time the graph knows static files by their declared paths: a file reached through a
        // link is found by its real path. (The plan checks links in declared static paths too.)
        _statics = new StaticPlaces(_guard, real => graph.FindFile(real) is { State: FileState.Static or FileState.Missing, IsOrphan: false } f ? f.Path : null);
        foreach (var folder in graph.StaticFolders) _statics.AddFolder(folder);
    }

    /// <summary>Why <paramref name="label"/> may not write <paramref name="graphPath"/>, or null when it may.</summary>
    public string? Refusal(string label, string graphPath) =>
        _guard.CheckOutput(label, graphPath, _statics, followLastLink: true, SourceLocation.None)?.Message;

    /// <summary>A step (or a call of the step API) declared a static folder while the build runs.</summary>
    public void AddStaticFolder(string graphFolder)
    {
        _graph.StaticFolders.Add(graphFolder);
        _statics.AddFolder(graphFolder);
    }

    /// <summary>
    /// Gets a step's working folder and outputs ready before it starts. Throws an
    /// <see cref="IOException"/> (the step cannot start) when an output may not be written.
    /// </summary>
    public void Prepare(StepNode step)
    {
        if (_guard.CheckWorkdir(step.Label, step.Definition.Workdir, SourceLocation.None) is { } badWorkdir)
            throw new IOException(badWorkdir.Message);
        foreach (var output in step.Outputs.Concat(step.Volatiles))
            if (Refusal(step.Label, output.Path) is { } refusal) throw new IOException(refusal);
        CreateFolder(step.Definition.Workdir);
        foreach (var output in step.Outputs.Concat(step.Volatiles)) Prepare(output, running: false);
    }

    /// <summary>An output amended by a running step: its folder is made, and what is there now noted.</summary>
    public void PrepareOne(FileNode output) => Prepare(output, running: true);

    void Prepare(FileNode output, bool running)
    {
        var slash = output.Path.LastIndexOf('/');
        CreateFolder(slash < 0 ? "." : output.Path[..slash]);
        if (_attic != null) MoveToAttic(output, running);
        _before[output] = FileStamper.TryStat(PathRules.FullPath(_root, output.Path), out var before) ? before : null;
    }

    /// <summary>
    /// Keeps the earlier version of an output in the attic. A file StepUp may not remove stays, as
    /// without the attic. When the move fails, the step does not start: it would overwrite the file.
    /// </summary>
    void MoveToAttic(FileNode output, bool running)
    {
        // A running step may have written the file already, even with the same bytes: only the very file recorded moves.
        if (OutputRemoval.Check(output, _root, _guard, sameStat: running) != Removal.Allowed) return;
        try
        {
            _attic!.Store(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"its earlier output '{output.Path}' could not be moved to the attic ({e.Message}), and the step would overwrite it.", e);
        }
    }

    /// <summary>
    /// After a step ended: the outputs it wrote (created, replaced or changed) become StepUp's; one it
    /// left alone keeps what it was, and one that is absent is nobody's.
    /// </summary>
    public void NoteWritten(StepNode step)
    {
        foreach (var output in step.Outputs.Concat(step.Volatiles))
        {
            if (!_before.Remove(output, out var before)) continue;
            var exists = FileStamper.TryStat(PathRules.FullPath(_root, output.Path), out var after);
            var changed = exists && (before == null || !after.SameStat(before));
            var written = exists && (output.Written || changed);
            if (changed && output.Build != _graph.Build)
            {
                output.Build = _graph.Build;
                output.Dirty = true;
            }
            if (written == output.Written) continue;
            output.Written = written;
            output.Dirty = true;
        }
    }

    /// <summary>Creates a folder of the root and its missing parents, remembering each it made.</summary>
    void CreateFolder(string graphFolder)
    {
        if (graphFolder == "." || !PathRules.IsInsideRoot(graphFolder)) return;
        var full = PathRules.FullPath(_root, graphFolder);
        if (Directory.Exists(full)) return;
        var slash = graphFolder.LastIndexOf('/');
        CreateFolder(slash < 0 ? "." : graphFolder[..slash]);
        Directory.CreateDirectory(full);
        _graph.CreatedFolders.Add(graphFolder);
    }
}
