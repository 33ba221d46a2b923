namespace StepUp.Engine.Graph;

/// <summary>
/// The provenance and dependency graph of one project root, held in memory by the director and
/// saved to .stepup/graph.db. Nodes are found by path or step key in O(1).
/// </summary>
public sealed class ProjectGraph
{
    readonly Dictionary<string, FileNode> _files = new(StringComparer.Ordinal);
    readonly Dictionary<string, StepNode> _steps = new(StringComparer.Ordinal);
    readonly List<Node> _removed = new();
    List<Node> _dirty = new();
    long _nextId = 2;

    public ProjectGraph()
    {
        Root = new RootNode { Id = 1 };
        Root.Creator = Root;
        Adopt(Root);
    }

    void Adopt(Node node)
    {
        node.Owner = this;
        if (node.Dirty && !node.Queued) MarkDirty(node);
        if (node is FileNode { Touched: false } file) Touch(file);
    }

    List<FileNode> _touched = new();

    internal int TouchedCount => _touched.Count;

    internal void Touch(FileNode file)
    {
        file.Touched = true;
        _touched.Add(file);
    }

    /// <summary>
    /// The files added or changed since the last call (some maybe removed since): what a refresh
    /// must stat besides the files a <see cref="Files.FileJournal"/> saw change on disk.
    /// </summary>
    internal List<FileNode> TakeTouched()
    {
        var touched = _touched;
        _touched = new List<FileNode>();
        foreach (var file in touched) file.Touched = false;
        return touched;
    }

    internal void MarkDirty(Node node)
    {
        node.Queued = true;
        _dirty.Add(node);
    }

    /// <summary>The nodes changed since the last call that are still in the graph.</summary>
    internal List<Node> TakeDirty()
    {
        var dirty = _dirty;
        _dirty = new List<Node>();
        var kept = 0;
        for (var i = 0; i < dirty.Count; i++)
        {
            var node = dirty[i];
            node.Queued = false;
            if (node.Dirty && node.Owner == this) dirty[kept++] = node;
        }
        dirty.RemoveRange(kept, dirty.Count - kept);
        return dirty;
    }

    public RootNode Root { get; }
    public IReadOnlyDictionary<string, FileNode> Files => _files;
    public IReadOnlyDictionary<string, StepNode> Steps => _steps;

    /// <summary>The folders StepUp created, which it may remove once they are empty (saved with the graph).</summary>
    public FolderSet CreatedFolders { get; } = new();

    /// <summary>
    /// The static folders of the current plan and of the steps that declared some in this build (not
    /// saved: a plan with static folders is planned again at every build), which no step may write into.
    /// </summary>
    public HashSet<string> StaticFolders { get; } = new(StringComparer.Ordinal);

    /// <summary>The outermost static folder that holds a path; null when none does.</summary>
    public string? StaticFolderOf(string path)
    {
        if (StaticFolders.Count == 0 || path.Length < 2) return null;
        for (var slash = path.IndexOf('/', 1); slash > 0; slash = path.IndexOf('/', slash + 1))
            if (StaticFolders.Contains(path[..slash])) return path[..slash];
        return null;
    }

    /// <summary>A digest of the last plan the root applied; equal plans need no re-planning.</summary>
    public string PlanFingerprint { get; set; } = "";

    /// <summary>
    /// The number of the project's latest build (1, 2, ...; 0 before the first): each output
    /// remembers the build that wrote it, and the attic files a previous output under that number.
    /// </summary>
    public long Build { get; set; }

    /// <summary>Nodes deleted since the last save (the store removes their rows).</summary>
    internal List<Node> TakeRemoved()
    {
        var removed = new List<Node>(_removed);
        _removed.Clear();
        return removed;
    }

    public IEnumerable<Node> AllNodes()
    {
        yield return Root;
        foreach (var f in _files.Values) yield return f;
        foreach (var s in _steps.Values) yield return s;
    }

    public FileNode? FindFile(string path) => _files.TryGetValue(path, out var f) ? f : null;
    public StepNode? FindStep(string key) => _steps.TryGetValue(key, out var s) ? s : null;

    public FileNode GetOrAddFile(string path)
    {
        if (_files.TryGetValue(path, out var file)) return file;
        file = new FileNode(path) { Id = _nextId++ };
        _files.Add(path, file);
        Adopt(file);
        return file;
    }

    /// <summary>Used by the store when it loads nodes with their saved ids.</summary>
    internal void AddLoaded(Node node)
    {
        switch (node)
        {
            case FileNode f: _files.Add(f.Path, f); break;
            case StepNode s: _steps.Add(s.Definition.Key, s); break;
        }
        Adopt(node);
        if (node.Id >= _nextId) _nextId = node.Id + 1;
    }

    internal StepNode AddStep(StepDefinition definition)
    {
        var step = new StepNode(definition) { Id = _nextId++ };
        _steps.Add(definition.Key, step);
        Adopt(step);
        return step;
    }

    public static void SetCreator(Node node, Node? creator)
    {
        if (ReferenceEquals(node.Creator, creator)) return;
        node.Creator?.RemoveProduct(node);
        node.Creator = creator;
        creator?.AddProduct(node);
        node.Dirty = true;
    }

    /// <summary>Removes a node that nothing creates, consumes or produces any more.</summary>
    internal void Remove(Node node)
    {
        SetCreator(node, null);
        foreach (var product in node.Products.ToList()) SetCreator(product, null);
        switch (node)
        {
            case FileNode f:
                _files.Remove(f.Path);
                break;
            case StepNode s:
                foreach (var input in s.Inputs) { input.RemoveConsumer(s); input.Dirty = true; }
                foreach (var output in s.Outputs.Concat(s.Volatiles))
                    if (ReferenceEquals(output.Producer, s)) { output.Producer = null; output.Dirty = true; }
                _steps.Remove(s.Definition.Key);
                break;
        }
        node.Owner = null;
        _removed.Add(node);
    }

    /// <summary>Links a step to the file nodes of its definition, replacing older links.</summary>
    internal void LinkStep(StepNode step)
    {
        foreach (var input in step.Inputs) input.RemoveConsumer(step);
        var definition = step.Definition;
        var inputs = FilesAt(definition.Inputs);
        foreach (var file in inputs) file.AddConsumer(step);

        if (step.Outputs.Count + step.Volatiles.Count > 0)
        {
            var newOutputs = new HashSet<string>(definition.Outputs.Concat(definition.Volatiles), StringComparer.Ordinal);
            foreach (var old in step.Outputs.Concat(step.Volatiles))
            {
                if (newOutputs.Contains(old.Path)) continue;
                // The step no longer makes this file: it becomes an orphan, cleaned after a good build.
                if (ReferenceEquals(old.Creator, step)) SetCreator(old, null);
            }
        }
        var outputs = FilesAt(definition.Outputs);
        var volatiles = FilesAt(definition.Volatiles);
        step.SetLinks(inputs, outputs, volatiles);
        foreach (var file in outputs) ClaimOutput(step, file, volatileOutput: false);
        foreach (var file in volatiles) ClaimOutput(step, file, volatileOutput: true);
        step.Dirty = true;
    }

    FileNode[] FilesAt(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return [];
        var files = new FileNode[paths.Count];
        for (var i = 0; i < files.Length; i++) files[i] = GetOrAddFile(paths[i]);
        return files;
    }

    void ClaimOutput(StepNode step, FileNode file, bool volatileOutput)
    {
        var sameProducer = ReferenceEquals(file.Producer, step);
        file.Producer = step;
        SetCreator(file, step);
        if (volatileOutput)
        {
            file.State = FileState.Volatile;
            file.Stamp = null;
        }
        else if (!sameProducer || !file.IsOutput)
        {
            // A file taken over from elsewhere is not trusted as built by this step; its old stamp is
            // kept so that cleanup of an edited file stays safe.
            file.State = FileState.Awaited;
        }
        file.Dirty = true;
    }

    /// <summary>
    /// Gives a file the static role. A file that had another role (an output, say) loses its stamp,
    /// so it is hashed again before anyone trusts it as the user's file.
    /// </summary>
    internal static void MakeStatic(FileNode file)
    {
        if (file.State is FileState.Static or FileState.Missing) return;
        file.State = FileState.Missing;
        file.Stamp = null;
        file.Producer = null;
        file.Written = false;
        file.Dirty = true;
    }

    /// <summary>Steps and files that are orphans now, in creation order.</summary>
    public List<Node> Orphans() =>
        _files.Values.Cast<Node>().Concat(_steps.Values).Where(n => n.IsOrphan).OrderBy(n => n.Id).ToList();
}
