using Microsoft.Data.Sqlite;

namespace StepUp.Engine.Storage;

/// <summary>
/// The layout of graph.db (one letter per column, to keep the SQL short):
/// <list type="bullet">
/// <item><c>meta(k, v)</c>: <c>plan</c> (plan fingerprint), <c>gen</c> (save counter), <c>running</c> (0/1),
/// <c>build</c> (the number of the project's latest build).</item>
/// <item><c>f</c>, one row per file node: id, p = path, c = creator id, s = state name, and the stamp:
/// d = digest (BLOB for lower-case hex, else TEXT; NULL without stamp), z = size, m = mtime_ns,
/// t = ctime_ns, n = inode, o = mode, w = 1 when a step wrote the file (0 when it was found there),
/// b = the number of the build that last wrote it (0: none).</item>
/// <item><c>s</c>, one row per step node: id, k = key, c = creator id, s = state name, h = success hash
/// (like d above), d = definition JSON without the key, l = link lists JSON where they differ from
/// the definition, with the duration of the latest run (NULL when none differs and it has not run),
/// b = why it last ran and what its last success was computed from (JSON, NULL when neither is known).</item>
/// <item><c>dir(p)</c>: the folders StepUp created (root-relative paths).</item>
/// </list>
/// States are stored by name, so reordering the enums cannot silently change a saved graph. Any
/// change to this layout must raise <see cref="GraphStore.SchemaVersion"/>: an old database is then
/// simply rebuilt from scratch.
/// </summary>
static class GraphSchema
{
    public const string CreateTables =
        "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v) WITHOUT ROWID;" +
        "CREATE TABLE IF NOT EXISTS f(id INTEGER PRIMARY KEY, p TEXT NOT NULL, c INTEGER, s TEXT NOT NULL, d, z INTEGER, m INTEGER, t INTEGER, n INTEGER, o INTEGER, w INTEGER NOT NULL, b INTEGER NOT NULL);" +
        "CREATE TABLE IF NOT EXISTS s(id INTEGER PRIMARY KEY, k TEXT NOT NULL, c INTEGER, s TEXT NOT NULL, h, d TEXT NOT NULL, l TEXT, b TEXT);" +
        "CREATE TABLE IF NOT EXISTS dir(p TEXT PRIMARY KEY) WITHOUT ROWID;";

    public const string SelectFiles = "SELECT id, p, c, s, d, z, m, t, n, o, w, b FROM f ORDER BY id";
    public const string SelectSteps = "SELECT id, k, c, s, h, d, l, b FROM s ORDER BY id";

    // Parameters are numbered for RawStatement: ?1 is the first column listed.
    public const string UpsertFile =
        "INSERT OR REPLACE INTO f(id, p, c, s, d, z, m, t, n, o, w, b) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    public const string UpsertStep =
        "INSERT OR REPLACE INTO s(id, k, c, s, h, d, l, b) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    public const string DeleteFile = "DELETE FROM f WHERE id = ?1";
    public const string DeleteStep = "DELETE FROM s WHERE id = ?1";
    public const string SelectFolders = "SELECT p FROM dir";
    public const string InsertFolder = "INSERT OR IGNORE INTO dir(p) VALUES(?1)";
    public const string DeleteFolder = "DELETE FROM dir WHERE p = ?1";

    public const string SelectMeta = "SELECT v FROM meta WHERE k = $k";
    public const string UpsertMeta = "INSERT INTO meta(k, v) VALUES($k, $v) ON CONFLICT(k) DO UPDATE SET v = excluded.v";
    public const string IncrementGeneration =
        "INSERT INTO meta(k, v) VALUES('gen', 1) ON CONFLICT(k) DO UPDATE SET v = v + 1 RETURNING v";

    public const string PlanKey = "plan", GenerationKey = "gen", RunningKey = "running", BuildKey = "build";

    /// <summary>
    /// True when the error says the file itself is bad (not a database, corrupt, unreadable), so that
    /// deleting it and starting over is the cure. Errors about the environment (locks, permissions,
    /// a full disk, memory) are not: deleting would not help, or would hurt another process.
    /// </summary>
    public static bool IsDamage(SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        3 /* PERM */ or 5 /* BUSY */ or 6 /* LOCKED */ or 7 /* NOMEM */ or 8 /* READONLY */ or
        9 /* INTERRUPT */ or 13 /* FULL */ or 14 /* CANTOPEN */ or 23 /* AUTH */ => false,
        _ => true,
    };
}
