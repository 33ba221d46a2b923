using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace StepUp.Engine.Storage;

/// <summary>
/// Reads the rows of graph.db back into a <see cref="ProjectGraph"/> with all pointers restored. A row
/// that does not decode throws <see cref="InvalidDataException"/>: the store takes that, and SQLite's
/// own errors, as damage.
/// </summary>
static class GraphLoader
{
    /// <summary>Reads every node; runs inside the read transaction the caller has open.</summary>
    public static ProjectGraph Load(SqliteConnection connection)
    {
        var graph = new ProjectGraph();
        var byId = new Dictionary<long, Node> { [graph.Root.Id] = graph.Root };
        var creators = new List<(Node Node, long CreatorId)>();
        var links = new List<(StepNode Step, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Volatiles)>();

        // 0 id, 1 p, 2 c, 3 s, 4 d, 5 z, 6 m, 7 t, 8 n, 9 o, 10 w, 11 b
        using (var select = new RawStatement(connection, GraphSchema.SelectFiles))
        {
            while (select.Read())
            {
                var digest = HexColumn.ReadDigest(select, 4);
                var file = new FileNode(select.GetString(1))
                {
                    Id = select.GetInt64(0),
                    State = ParseState<FileState>(select, "f"),
                    Stamp = digest == null
                        ? null
                        : new FileStamp(digest.Value, select.GetInt64(5), select.GetInt64(6), select.GetInt64(7), select.GetInt64(8), select.GetInt32(9)),
                    Written = select.GetInt64(10) != 0,
                    Build = select.GetInt64(11),
                };
                Register(graph, byId, file);
                if (!select.IsNull(2)) creators.Add((file, select.GetInt64(2)));
            }
        }

        // A path a definition names is the string of its file node, and the project file of the
        // locations is one string: a graph of 100,000 steps keeps no copy of either per step.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string text)
        {
            if (graph.FindFile(text) is { } file) return file.Path;
            if (pool.TryGetValue(text, out var known)) return known;
            pool.Add(text, text);
            return text;
        }

        // 0 id, 1 k, 2 c, 3 s, 4 h, 5 d, 6 l, 7 b
        using (var select = new RawStatement(connection, GraphSchema.SelectSteps))
        {
            while (select.Read())
            {
                var definition = DecodeJson(select, "s", () => StepCodec.DecodeDefinition(select.GetString(1), select.GetString(5), Intern));
                var step = new StepNode(definition)
                {
                    Id = select.GetInt64(0),
                    State = ParseState<StepState>(select, "s"),
                    SuccessHash = HexColumn.ReadDigest(select, 4),
                };
                Register(graph, byId, step);
                if (!select.IsNull(2)) creators.Add((step, select.GetInt64(2)));
                var (inputs, outputs, volatiles, amendedEnv, globs, duration, slurmJob) = DecodeJson(select, "s", () => StepCodec.DecodeLinks(definition, select.GetStringOrNull(6)));
                foreach (var name in amendedEnv) step.AmendEnv(name);
                foreach (var glob in globs) step.AddGlob(glob);
                step.LastDuration = duration;
                step.SlurmJob = slurmJob;
                if (select.GetStringOrNull(7) is { } basis)
                    (step.RunReason, step.SuccessBasis) = DecodeJson(select, "s", () => StepCodec.DecodeBasis(basis, definition, Intern));
                links.Add((step, inputs, outputs, volatiles));
            }
        }

        using (var select = new RawStatement(connection, GraphSchema.SelectFolders))
            while (select.Read()) graph.CreatedFolders.AddLoaded(select.GetString(0));

        // Creators, with products in id order.
        creators.Sort((a, b) => a.Node.Id.CompareTo(b.Node.Id));
        foreach (var (node, creatorId) in creators)
        {
            if (!byId.TryGetValue(creatorId, out var creator) || ReferenceEquals(creator, node)) continue;
            node.Creator = creator;
            creator.AddProduct(node);
        }
        BreakCreatorCycles(byId.Values);

        var repaired = new List<FileNode>();
        foreach (var (step, inputPaths, outputPaths, volatilePaths) in links)
        {
            var inputs = FilesFor(graph, inputPaths, repaired);
            var outputs = FilesFor(graph, outputPaths, repaired);
            var volatiles = FilesFor(graph, volatilePaths, repaired);
            step.SetLinks(inputs, outputs, volatiles);
            foreach (var file in inputs) file.AddConsumer(step);
            foreach (var file in outputs) file.Producer = step;
            foreach (var file in volatiles) file.Producer = step;
        }

        foreach (var node in graph.AllNodes()) node.Dirty = false;
        // Files a step names but the database lacked (should not happen) are saved next time.
        foreach (var file in repaired) file.Dirty = true;
        return graph;
    }

    static void Register(ProjectGraph graph, Dictionary<long, Node> byId, Node node)
    {
        if (node.Id <= graph.Root.Id) throw new InvalidDataException($"Bad node id {node.Id}.");
        var duplicate = node switch
        {
            FileNode f => graph.FindFile(f.Path) != null,
            StepNode s => graph.FindStep(s.Definition.Key) != null,
            _ => false,
        };
        if (duplicate || !byId.TryAdd(node.Id, node)) throw new InvalidDataException($"Node {node.Id} repeats an id, a path or a step key.");
        graph.AddLoaded(node);
    }

    static T ParseState<T>(RawStatement row, string table) where T : struct, Enum =>
        Enum.TryParse<T>(row.GetString(3), out var state) && Enum.IsDefined(state)
            ? state
            : throw new InvalidDataException($"Row {row.GetInt64(0)} of table {table} has the unknown state '{row.GetString(3)}'.");

    /// <summary>Decodes a JSON column; what does not decode is damage of that row.</summary>
    static T DecodeJson<T>(RawStatement row, string table, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throw new InvalidDataException($"Row {row.GetInt64(0)} of table {table} does not decode: {e.Message}", e);
        }
    }

    static FileNode[] FilesFor(ProjectGraph graph, IReadOnlyList<string> paths, List<FileNode> repaired)
    {
        if (paths.Count == 0) return [];
        var files = new FileNode[paths.Count];
        for (var i = 0; i < files.Length; i++) files[i] = FileFor(graph, paths[i], repaired);
        return files;
    }

    static FileNode FileFor(ProjectGraph graph, string path, List<FileNode> repaired)
    {
        var file = graph.FindFile(path);
        if (file != null) return file;
        file = graph.GetOrAddFile(path); // state Undeclared, no creator
        repaired.Add(file);
        return file;
    }

    /// <summary>
    /// A damaged database could make creators loop, and <see cref="Node.IsOrphan"/> would then never
    /// end: cut every loop by making one of its nodes an orphan. O(nodes).
    /// </summary>
    static void BreakCreatorCycles(IEnumerable<Node> nodes)
    {
        var done = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var path = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        foreach (var start in nodes)
        {
            path.Clear();
            for (var n = start; n != null && !done.Contains(n) && n is not RootNode; n = n.Creator)
            {
                if (!path.Add(n))
                {
                    ProjectGraph.SetCreator(n, null);
                    break;
                }
            }
            done.UnionWith(path);
        }
    }
}
