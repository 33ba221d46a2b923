namespace StepUp.Engine.Graph;

/// <summary>States of a file node; the names are those shown in graph.txt.</summary>
public enum FileState
{
    /// <summary>Declared static and present: the user's file, never written or deleted.</summary>
    Static,
    /// <summary>Declared static but absent on disk.</summary>
    Missing,
    /// <summary>An output that is not built (yet).</summary>
    Awaited,
    /// <summary>An output of a step that succeeded, with the hash it had then.</summary>
    Built,
    /// <summary>An output whose producer must run again (it failed, or the file changed).</summary>
    Outdated,
    /// <summary>A volatile output: never hashed, never an input, removed like outputs.</summary>
    Volatile,
    /// <summary>Named as an input only: nothing declares or produces it.</summary>
    Undeclared,
}

public enum StepState { Pending, Running, Succeeded, Failed }

/// <summary>Where an item was written, for diagnostics in MSBuild's file(line,col) form.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public static readonly SourceLocation None = new("", 0, 0);
}

public abstract class Node
{
    /// <summary>Creation order; graph.txt and the .dot files list nodes in this order.</summary>
    public long Id { get; internal set; }

    /// <summary>The node that created this one (provenance); null for an orphan.</summary>
    public Node? Creator { get; internal set; }

    NodeSet? _products;

    /// <summary>The nodes this one created, in creation order.</summary>
    public NodeSet Products => _products ?? NodeSet.Empty;

    internal void AddProduct(Node product) => (_products ??= new NodeSet()).Add(product);

    internal void RemoveProduct(Node product)
    {
        // Most nodes create nothing: an emptied set is let go.
        if (_products != null && _products.Remove(product) && _products.Count == 0) _products = null;
    }

    public abstract string Kind { get; }
    public abstract string Label { get; }
    public string Key => Kind + ":" + Label;

    /// <summary>True when no chain of creators leads to the root.</summary>
    public bool IsOrphan
    {
        get
        {
            for (Node? n = this; n != null; n = n.Creator)
                if (n is RootNode) return false;
            return true;
        }
    }

    bool _dirty = true;

    /// <summary>Set when the node changed since the last save; the graph keeps a list of such nodes.</summary>
    internal bool Dirty
    {
        get => _dirty;
        set
        {
            _dirty = value;
            if (!value || Owner == null) return;
            if (!Queued) Owner.MarkDirty(this);
            if (this is FileNode { Touched: false } file) Owner.Touch(file);
        }
    }

    /// <summary>The node is on its graph's list of changed nodes (once, however often it changes).</summary>
    internal bool Queued { get; set; }

    /// <summary>The graph that holds the node, told about every change so saves are O(changed).</summary>
    internal ProjectGraph? Owner { get; set; }
}

public sealed class RootNode : Node
{
    public override string Kind => "root";
    public override string Label => "";
}

public sealed class FileNode : Node
{
    public FileNode(string path) { Path = path; }

    /// <summary>Relative to the project root with '/' separators, or absolute outside it.</summary>
    public string Path { get; }
    public override string Kind => "file";
    public override string Label => Path;

    public FileState State { get; internal set; } = FileState.Undeclared;

    /// <summary>The last refresh found it edited (its stat changed) with the same content; not saved.</summary>
    internal bool EditedSameContent { get; set; }

    /// <summary>On the graph's list of files changed since the last refresh (see <see cref="ProjectGraph.TakeTouched"/>).</summary>
    internal bool Touched { get; set; }

    /// <summary>The last refresh found this built output deleted; not saved.</summary>
    internal bool Vanished { get; set; }

    /// <summary>
    /// For static files the last stamp seen; for outputs the stamp recorded right after they were
    /// built, which cleanup compares against before it deletes anything.
    /// </summary>
    public FileStamp? Stamp { get; internal set; }

    /// <summary>The step that declares this file as output or volatile output.</summary>
    public StepNode? Producer { get; internal set; }

    List<StepNode>? _consumers;

    /// <summary>Steps that declare this file as an input.</summary>
    public IReadOnlyList<StepNode> Consumers => (IReadOnlyList<StepNode>?)_consumers ?? Array.Empty<StepNode>();

    internal void AddConsumer(StepNode step) => (_consumers ??= new List<StepNode>(1)).Add(step);

    internal void RemoveConsumer(StepNode step)
    {
        if (_consumers != null && _consumers.Remove(step) && _consumers.Count == 0) _consumers = null;
    }

    /// <summary>
    /// A step of this project wrote the file: it did not just find it there. Cleanup deletes only
    /// such files; a file that was there before any step made it stays the user's.
    /// </summary>
    public bool Written { get; internal set; }

    /// <summary>The number of the build that last wrote the file (<see cref="ProjectGraph.Build"/>); 0 when none did.</summary>
    public long Build { get; internal set; }

    public bool IsOutput => State is FileState.Awaited or FileState.Built or FileState.Outdated;
}

public sealed class StepNode : Node
{
    public StepNode(StepDefinition definition) { Definition = definition; }

    public StepDefinition Definition { get; internal set; }
    public override string Kind => "step";
    public override string Label => Definition.Label;

    public StepState State { get; internal set; } = StepState.Pending;

    /// <summary>The hash of command, workdir, environment and inputs at the last success; null if none.</summary>
    public Digest? SuccessHash { get; internal set; }

    // Exact arrays, most of them the shared empty one: a graph holds 100,000s of steps.
    FileNode[] _inputs = [];
    FileNode[] _outputs = [];
    FileNode[] _volatiles = [];
    List<string>? _amendedEnv;

    /// <summary>The definition's inputs first, then those the step amended.</summary>
    public IReadOnlyList<FileNode> Inputs => _inputs;
    public IReadOnlyList<FileNode> Outputs => _outputs;
    public IReadOnlyList<FileNode> Volatiles => _volatiles;

    /// <summary>Environment variables the step amended while it ran; part of its hash like EnvNames.</summary>
    public IReadOnlyList<string> AmendedEnv => (IReadOnlyList<string>?)_amendedEnv ?? Array.Empty<string>();

    /// <summary>Replaces the step's links (the graph keeps the files' side of them).</summary>
    internal void SetLinks(FileNode[] inputs, FileNode[] outputs, FileNode[] volatiles)
    {
        _inputs = inputs;
        _outputs = outputs;
        _volatiles = volatiles;
    }

    internal void AddInputs(List<FileNode> files) => _inputs = [.. _inputs, .. files];
    internal void AddOutput(FileNode file) => _outputs = [.. _outputs, file];
    internal void AddVolatile(FileNode file) => _volatiles = [.. _volatiles, file];

    internal void AmendEnv(string name) => (_amendedEnv ??= new List<string>()).Add(name);
    internal void ClearAmendedEnv() => _amendedEnv = null;

    List<RegisteredGlob>? _globs;

    /// <summary>The patterns the step matched when it last ran; it runs again when they match differently.</summary>
    public IReadOnlyList<RegisteredGlob> Globs => (IReadOnlyList<RegisteredGlob>?)_globs ?? Array.Empty<RegisteredGlob>();

    internal void AddGlob(RegisteredGlob glob) => (_globs ??= new List<RegisteredGlob>(1)).Add(glob);
    internal void ClearGlobs() => _globs = null;

    /// <summary>How long its latest run took; null when it has not run since the graph was made.</summary>
    public TimeSpan? LastDuration { get; internal set; }
    /// <summary>
    /// The Slurm job running the step, while one does (saved), so that the next build re-attaches
    /// to it after a director crash instead of submitting the step again.
    /// </summary>
    public string? SlurmJob { get; internal set; }

    /// <summary>Why the step cannot be skipped, when known before its check (not saved).</summary>
    internal string? RerunReason { get; set; }

    /// <summary>How often it was deferred for amended inputs since it last succeeded, over the director's builds (the defer cap counts these; not saved).</summary>
    internal int DeferralsSinceSuccess { get; set; }

    /// <summary>What the last success was computed from, to say what changed since; null if unknown.</summary>
    public Scheduling.StepBasis? SuccessBasis { get; internal set; }

    /// <summary>Why the step ran the last time it ran (graph.txt shows it); null if it never ran.</summary>
    public string? RunReason { get; internal set; }
}
