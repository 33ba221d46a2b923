using Microsoft.Data.Sqlite;

namespace StepUp.Engine.Storage;

/// <summary>
/// Keeps a <see cref="ProjectGraph"/> in <c>&lt;root&gt;/.stepup/graph.db</c>. Saving writes only the
/// nodes changed since the last save. A database that is damaged or has another schema version is
/// deleted and started anew: the graph is a cache of what was built, so a full rebuild is always safe.
/// </summary>
public sealed class GraphStore : IDisposable
{
    public const int SchemaVersion = 4;
    public const string FolderName = ".stepup";
    public const string FileName = "graph.db";

    readonly string _connectionString;
    SqliteConnection? _connection;

    /// <summary>One call at a time: a connection is not for concurrent use (saves may come from workers).</summary>
    readonly Lock _gate = new();

    /// <summary>Removed nodes not yet deleted from the database, kept should a save fail.</summary>
    readonly List<Node> _pendingRemoved = new();

    GraphStore(string path)
    {
        DatabasePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: a pooled connection would keep a deleted database file open.
            Pooling = false,
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>
    /// The save counter as this store last saw it (at open, load or save). Compare it with
    /// <see cref="ReadGeneration"/> to learn whether another process saved in between.
    /// </summary>
    public long Generation { get; private set; }

    /// <summary>
    /// True when a build was marked started but never finished (it was killed), as read at open or at
    /// the latest <see cref="Load"/>; a build this store started itself does not count.
    /// <see cref="MarkBuildFinished"/> clears it.
    /// </summary>
    public bool WasInterrupted { get; private set; }

    /// <summary>This store marked a build started and not yet finished.</summary>
    bool _runningHere;

    /// <summary>True when the database had to be deleted and recreated (damaged, or another schema).</summary>
    public bool WasReset => ResetReason != null;

    /// <summary>Why the database was recreated, when it was.</summary>
    public GraphResetReason? ResetReason { get; private set; }

    /// <summary>What the damage was, when <see cref="ResetReason"/> is <see cref="GraphResetReason.Damaged"/>.</summary>
    public string ResetDetail { get; private set; } = "";

    SqliteConnection Connection => _connection ?? throw new ObjectDisposedException(nameof(GraphStore));

    public static GraphStore Open(string root)
    {
        var folder = Path.Combine(Path.GetFullPath(root), FolderName);
        StateFolder.Ensure(folder);
        var store = new GraphStore(Path.Combine(folder, FileName));
        try
        {
            store.Connect();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    void Connect()
    {
        try
        {
            ConnectOnce();
        }
        catch (SqliteException e) when (GraphSchema.IsDamage(e))
        {
            Recreate(GraphResetReason.Damaged, e.Message);
        }
    }

    /// <summary>Opens the file, checks its schema version and reads the meta data; throws on a damaged file.</summary>
    void ConnectOnce()
    {
        _connection = OpenConnection();
        var version = Convert.ToInt64(Scalar(_connection, "PRAGMA user_version"));
        if (version != SchemaVersion)
        {
            var empty = version == 0 && Convert.ToInt64(Scalar(_connection, "SELECT count(*) FROM sqlite_master")) == 0;
            if (!empty)
            {
                Recreate(GraphResetReason.OtherVersion, $"schema version {version}");
                return;
            }
            CreateSchema(_connection);
        }
        ReadMeta();
    }

    /// <summary>
    /// Deletes <c>&lt;root&gt;/.stepup/graph.db</c> and its side files (-wal, -shm, -journal). No store
    /// may have the database open.
    /// </summary>
    public static void Delete(string root) =>
        DeleteFiles(Path.Combine(Path.GetFullPath(root), FolderName, FileName));

    static void DeleteFiles(string databasePath)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            File.Delete(databasePath + suffix);
    }

    /// <summary>Deletes the database and its side files, then makes an empty one.</summary>
    void Recreate(GraphResetReason reason, string detail)
    {
        _connection?.Dispose();
        _connection = null;
        DeleteFiles(DatabasePath);
        _connection = OpenConnection();
        CreateSchema(_connection);
        _pendingRemoved.Clear();
        ResetReason = reason;
        ResetDetail = detail;
        if (_runningHere) WriteMeta(GraphSchema.RunningKey, 1L);
        ReadMeta();
    }

    SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout=10000");
            // The first statement that reads the file: a file that is no database fails here.
            Execute(connection, "PRAGMA journal_mode=WAL");
            Execute(connection, "PRAGMA synchronous=NORMAL");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    static void CreateSchema(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = GraphSchema.CreateTables + $"PRAGMA user_version={SchemaVersion};";
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    void ReadMeta(SqliteTransaction? transaction = null)
    {
        Generation = ReadMetaInt(GraphSchema.GenerationKey, transaction);
        if (!_runningHere) WasInterrupted = ReadMetaInt(GraphSchema.RunningKey, transaction) != 0;
    }

    /// <summary>Reads the save counter from the database now; does not change <see cref="Generation"/>.</summary>
    public long ReadGeneration()
    {
        lock (_gate) return ReadMetaInt(GraphSchema.GenerationKey, null);
    }

    /// <summary>Marks a build as running, so that a killed build is noticed at the next open.</summary>
    public void MarkBuildStarted()
    {
        lock (_gate)
        {
            WriteMeta(GraphSchema.RunningKey, 1L);
            _runningHere = true;
        }
    }

    /// <summary>Marks the build as finished; the graph is trustworthy again.</summary>
    public void MarkBuildFinished()
    {
        lock (_gate)
        {
            WriteMeta(GraphSchema.RunningKey, 0L);
            _runningHere = false;
            WasInterrupted = false;
        }
    }

    /// <summary>
    /// Rebuilds the whole graph from the database; every node is clean afterwards. Should the data
    /// turn out damaged, the database is recreated and an empty graph returned.
    /// </summary>
    public ProjectGraph Load()
    {
        lock (_gate)
        {
            var connection = Connection;
            try
            {
                using var transaction = connection.BeginTransaction(deferred: true);
                var graph = GraphLoader.Load(connection);
                graph.PlanFingerprint = ReadMetaText(GraphSchema.PlanKey, transaction);
                graph.Build = ReadMetaInt(GraphSchema.BuildKey, transaction);
                ReadMeta(transaction);
                transaction.Commit();
                _pendingRemoved.Clear();
                return graph;
            }
            catch (Exception e) when (IsDamagedData(e))
            {
                Recreate(GraphResetReason.Damaged, e.Message);
                return new ProjectGraph();
            }
        }
    }

    /// <summary>Damage is what SQLite reports as a bad file, or a row the loader cannot decode; anything else is a bug.</summary>
    static bool IsDamagedData(Exception e) => e is SqliteException s ? GraphSchema.IsDamage(s) : e is InvalidDataException;

    /// <summary>
    /// Saves, in one transaction, the nodes marked dirty and the removal of nodes deleted from the
    /// graph, the plan fingerprint, and a new generation; then marks the saved nodes clean.
    /// </summary>
    public void Save(ProjectGraph graph)
    {
        lock (_gate) SaveLocked(graph);
    }

    void SaveLocked(ProjectGraph graph)
    {
        var connection = Connection;
        _pendingRemoved.AddRange(graph.TakeRemoved());
        var files = new List<FileNode>();
        var steps = new List<StepNode>();
        foreach (var node in graph.TakeDirty())
        {
            if (node is FileNode file) files.Add(file);
            else if (node is StepNode step) steps.Add(step);
        }

        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            GraphSaver.Delete(connection, graph, _pendingRemoved);
            GraphSaver.Upsert(connection, files, steps);
            GraphSaver.SaveFolders(connection, graph.CreatedFolders);
            WriteMeta(GraphSchema.PlanKey, graph.PlanFingerprint, transaction);
            WriteMeta(GraphSchema.BuildKey, graph.Build, transaction);
            using var increment = connection.CreateCommand();
            increment.Transaction = transaction;
            increment.CommandText = GraphSchema.IncrementGeneration;
            var generation = Convert.ToInt64(increment.ExecuteScalar());
            transaction.Commit();
            Generation = generation;
        }

        _pendingRemoved.Clear();
        graph.CreatedFolders.MarkSaved();
        foreach (var file in files) file.Dirty = false;
        foreach (var step in steps) step.Dirty = false;
        graph.Root.Dirty = false;
    }

    long ReadMetaInt(string key, SqliteTransaction? transaction)
    {
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = GraphSchema.SelectMeta;
        command.Parameters.AddWithValue("$k", key);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? 0 : Convert.ToInt64(value);
    }

    string ReadMetaText(string key, SqliteTransaction? transaction)
    {
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = GraphSchema.SelectMeta;
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string ?? "";
    }

    void WriteMeta(string key, object value, SqliteTransaction? transaction = null)
    {
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = GraphSchema.UpsertMeta;
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}

/// <summary>Why a graph database was deleted and started anew.</summary>
public enum GraphResetReason
{
    /// <summary>The file was no database, or its data did not decode.</summary>
    Damaged,
    /// <summary>Another version of StepUp made it, with another layout.</summary>
    OtherVersion,
}
