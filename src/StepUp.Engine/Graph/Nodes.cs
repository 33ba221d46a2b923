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

    /// <summary>The nodes this one created, in creation order.</summary>
    public NodeSet Products { get; } = new();

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

    /// <summary>Set when the node changed since the last save; the graph keeps a set of such nodes.</summary>
    internal bool Dirty
    {
        get => _dirty;
        set
        {
            _dirty = value;
            if (value) Owner?.MarkDirty(this);
        }
    }

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

    /// <summary>The last refresh found this built output deleted; not saved.</summary>
    internal bool Vanished { get; set; }

    /// <summary>
    /// For static files the last stamp seen; for outputs the stamp recorded right after they were
    /// built, which cleanup compares against before it deletes anything.
    /// </summary>
    public FileStamp? Stamp { get; internal set; }

    /// <summary>The step that declares this file as output or volatile output.</summary>
    public StepNode? Producer { get; internal set; }

    /// <summary>Steps that declare this file as an input.</summary>
    public List<StepNode> Consumers { get; } = new();

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
    public string? SuccessHash { get; internal set; }

    public List<FileNode> Inputs { get; } = new();
    public List<FileNode> Outputs { get; } = new();
    public List<FileNode> Volatiles { get; } = new();

    /// <summary>Environment variables the step amended while it ran; part of its hash like EnvNames.</summary>
    public List<string> AmendedEnv { get; } = new();

    /// <summary>The patterns the step matched when it last ran; it runs again when they match differently.</summary>
    public List<RegisteredGlob> Globs { get; } = new();
    /// <summary>How long its latest run took; null when it has not run since the graph was made.</summary>
    public TimeSpan? LastDuration { get; internal set; }
    /// <summary>
    /// The Slurm job running the step, while one does (saved), so that the next build re-attaches
    /// to it after a director crash instead of submitting the step again.
    /// </summary>
    public string? SlurmJob { get; internal set; }

    /// <summary>Why the step cannot be skipped, when known before its check (not saved).</summary>
    internal string? RerunReason { get; set; }

    /// <summary>What the last success was computed from, to say what changed since; null if unknown.</summary>
    public Scheduling.StepBasis? SuccessBasis { get; internal set; }

    /// <summary>Why the step ran the last time it ran (graph.txt shows it); null if it never ran.</summary>
    public string? RunReason { get; internal set; }
}
