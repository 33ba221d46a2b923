using Microsoft.Data.Sqlite;

namespace StepUp.Engine.Storage;

/// <summary>
/// Writes changed and removed nodes with statements prepared once and reused for every row, inside
/// the transaction the caller has open on the connection.
/// </summary>
static class GraphSaver
{
    public static void Delete(SqliteConnection connection, ProjectGraph graph, List<Node> removed)
    {
        if (removed.Count == 0) return;
        using var deleteFile = new RawStatement(connection, GraphSchema.DeleteFile);
        using var deleteStep = new RawStatement(connection, GraphSchema.DeleteStep);
        foreach (var node in removed)
        {
            switch (node)
            {
                // A node that is back in the graph keeps its row (and is saved if dirty).
                case FileNode f when !ReferenceEquals(graph.FindFile(f.Path), f):
                    deleteFile.Bind(1, f.Id);
                    deleteFile.Execute();
                    break;
                case StepNode s when !ReferenceEquals(graph.FindStep(s.Definition.Key), s):
                    deleteStep.Bind(1, s.Id);
                    deleteStep.Execute();
                    break;
            }
        }
    }

    public static void Upsert(SqliteConnection connection, List<FileNode> files, List<StepNode> steps)
    {
        if (files.Count > 0)
        {
            // id, p, c, s, d, z, m, t, n, o, w, b
            using var upsert = new RawStatement(connection, GraphSchema.UpsertFile);
            foreach (var file in files)
            {
                upsert.Bind(1, file.Id);
                upsert.Bind(2, file.Path);
                BindCreator(upsert, 3, file);
                upsert.Bind(4, StateName(file.State));
                if (file.Stamp is { } stamp)
                {
                    HexColumn.Bind(upsert, 5, stamp.Digest);
                    upsert.Bind(6, stamp.Size);
                    upsert.Bind(7, stamp.MtimeNs);
                    upsert.Bind(8, stamp.CtimeNs);
                    upsert.Bind(9, stamp.Inode);
                    upsert.Bind(10, stamp.Mode);
                }
                else
                {
                    for (var i = 5; i <= 10; i++) upsert.BindNull(i);
                }
                upsert.Bind(11, file.Written ? 1 : 0);
                upsert.Bind(12, file.Build);
                upsert.Execute();
            }
        }

        if (steps.Count > 0)
        {
            // id, k, c, s, h, d, l, b
            using var upsert = new RawStatement(connection, GraphSchema.UpsertStep);
            foreach (var step in steps)
            {
                upsert.Bind(1, step.Id);
                upsert.Bind(2, step.Definition.Key);
                BindCreator(upsert, 3, step);
                upsert.Bind(4, StateName(step.State));
                HexColumn.Bind(upsert, 5, step.SuccessHash);
                upsert.Bind(6, StepCodec.EncodeDefinition(step.Definition));
                upsert.Bind(7, StepCodec.EncodeLinks(step));
                upsert.Bind(8, StepCodec.EncodeBasis(step));
                upsert.Execute();
            }
        }
    }

    /// <summary>Writes the folders added to or removed from <paramref name="folders"/> since its last save.</summary>
    public static void SaveFolders(SqliteConnection connection, FolderSet folders)
    {
        if (folders.Changed.Count == 0) return;
        using var insert = new RawStatement(connection, GraphSchema.InsertFolder);
        using var delete = new RawStatement(connection, GraphSchema.DeleteFolder);
        foreach (var folder in folders.Changed)
        {
            var statement = folders.Contains(folder) ? insert : delete;
            statement.Bind(1, folder);
            statement.Execute();
        }
    }

    static void BindCreator(RawStatement statement, int index, Node node)
    {
        if (node.Creator is { } creator) statement.Bind(index, creator.Id);
        else statement.BindNull(index);
    }

    static string StateName(FileState state) => state.ToString();
    static string StateName(StepState state) => state.ToString();
}
