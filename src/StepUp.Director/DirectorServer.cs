using StepUp.Engine.Sessions;
using System.Diagnostics;
using System.Net.Sockets;
using StepUp.Engine.Building;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>
/// Listens on the user's private endpoint, serves requests one connection each, and exits when
/// idle for the requested time, after a transient build, or when asked to.
/// </summary>
sealed class DirectorServer
{
    readonly Endpoint _endpoint;
    readonly LogFile _log;
    readonly RequestHandler _handler;
    readonly CancellationTokenSource _stop = new();
    readonly object _gate = new();
    int _active;
    DateTime _lastActivity = DateTime.UtcNow;
    TimeSpan _idleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long a project's graph stays in memory after its last request.</summary>
    static readonly TimeSpan SessionKeepAlive = TimeSpan.FromMinutes(2);
    bool _exitWhenIdle;

    DirectorServer(Endpoint endpoint, LogFile log)
    {
        _endpoint = endpoint;
        _log = log;
        _handler = new RequestHandler(this, log, new DirectorContext
        {
            SocketPath = endpoint.SocketPath,
            ToolsDirectory = ToolsDirectory(),
        });
    }

    /// <summary>The package's tools/ folder (the director lives in tools/director/), when the clients are there.</summary>
    static string? ToolsDirectory()
    {
        var tools = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, ".."));
        var stepup = Path.Combine(tools, "bin", "stepup");
        if (!File.Exists(stepup) && !Directory.Exists(Path.Combine(tools, "python"))) return null;
        // NuGet does not keep file modes: make the command runnable.
        if (!OperatingSystem.IsWindows() && File.Exists(stepup))
            File.SetUnixFileMode(stepup, File.GetUnixFileMode(stepup) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return tools;
    }

    public static async Task<int> RunAsync(string dir, string id)
    {
        Detach.FromTerminal();
        var endpoint = new Endpoint(dir, id);
        endpoint.EnsurePrivateDirectory();
        var log = new LogFile(endpoint.LogPath);
        FileStream serverLock;
        try
        {
            serverLock = new FileStream(endpoint.ServerLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            log.Write("another director already serves this endpoint; exiting");
            return 0;
        }
        using (serverLock)
        {
            var server = new DirectorServer(endpoint, log);
            try
            {
                return await server.ServeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                log.Write("director failed: " + e);
                return 1;
            }
            finally
            {
                try { File.Delete(endpoint.SocketPath); } catch (IOException) { }
            }
        }
    }

    async Task<int> ServeAsync()
    {
        if (File.Exists(_endpoint.SocketPath)) File.Delete(_endpoint.SocketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(UnixSocket.EndPointFor(_endpoint.SocketPath));
        UnixUser.MakeOwnerOnly(_endpoint.SocketPath);
        listener.Listen(64);
        _log.Write($"listening on {_endpoint.SocketPath} (StepUp.Director {typeof(DirectorServer).Assembly.GetName().Version}, protocol {ProtocolInfo.Version})");
        _ = Task.Run(WatchIdleAsync);

        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            var peer = UnixUser.PeerUserId(client);
            if (peer == null || peer != UnixUser.EffectiveUserId())
            {
                // The private folder already keeps others out; this is the second lock on the door.
                _log.Write($"refused a connection from uid {peer?.ToString() ?? "unknown"}");
                client.Dispose();
                continue;
            }
            Enter();
            _ = Task.Run(async () =>
            {
                try
                {
                    await using var stream = new NetworkStream(client, ownsSocket: true);
                    await _handler.ServeAsync(stream, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    _log.Write("connection lost: " + e.Message);
                }
                catch (Exception e)
                {
                    _log.Write("request failed: " + e);
                }
                finally
                {
                    Leave();
                }
            });
        }
        // Let requests in flight (a build, a shutdown answer) finish before the process ends.
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref _active) > 0 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50).ConfigureAwait(false);
        _handler.ReleaseIdleSessions(TimeSpan.Zero);
        _log.Write("stopped");
        return 0;
    }

    void Enter()
    {
        lock (_gate) { _active++; _lastActivity = DateTime.UtcNow; }
    }

    void Leave()
    {
        lock (_gate)
        {
            _active--;
            _lastActivity = DateTime.UtcNow;
            if (_active == 0 && _exitWhenIdle) Stop("transient director: the build is done");
        }
    }

    /// <summary>Each build says how long the director may stay idle after it; the last one wins.</summary>
    public void SetIdleTimeout(TimeSpan timeout, bool transient)
    {
        lock (_gate)
        {
            _idleTimeout = timeout;
            _exitWhenIdle = transient || timeout <= TimeSpan.Zero;
        }
    }

    public void Stop(string reason)
    {
        if (_stop.IsCancellationRequested) return;
        _log.Write("stopping: " + reason);
        _stop.Cancel();
    }

    async Task WatchIdleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            _handler.ReleaseIdleSessions(SessionKeepAlive);
            lock (_gate)
            {
                if (_active == 0 && DateTime.UtcNow - _lastActivity > _idleTimeout) Stop($"idle for {_idleTimeout.TotalMinutes:0.##} minute(s)");
                if (!File.Exists(_endpoint.SocketPath)) Stop("the socket file was removed");
            }
        }
    }
}
