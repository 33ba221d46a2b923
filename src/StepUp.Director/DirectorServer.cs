using System.Diagnostics;
using System.Net.Sockets;
using StepUp.Engine.Building;
using StepUp.Engine.Sessions;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>
/// Listens on the user's private endpoint and serves each connection without holding a thread while
/// it waits. Ends when idle past its keep-alive, when asked to, or when its socket file is removed.
/// </summary>
sealed class DirectorServer
{
    readonly Endpoint _endpoint;
    readonly LogFile _log;
    readonly RequestHandler _handler;
    readonly DirectorLifecycle _life = new();
    readonly CancellationTokenSource _stop = new();

    DirectorServer(Endpoint endpoint, LogFile log, string sdkVersion)
    {
        SdkVersion = sdkVersion;
        _endpoint = endpoint;
        _log = log;
        _handler = new RequestHandler(this, log, new DirectorContext
        {
            SocketPath = endpoint.SocketPath,
            ToolsDirectory = ToolsFolder.Prepare(endpoint, log),
        });
    }

    /// <summary>The StepUp.Sdk version that started this director (its id is made from it), for the shutdown's answer.</summary>
    public string SdkVersion { get; }

    public static async Task<int> RunAsync(string dir, string id, string sdkVersion)
    {
        Detach.FromTerminal();
        var endpoint = new Endpoint(dir, id);
        var log = new LogFile(endpoint.LogPath);
        try
        {
            endpoint.MakePrivateDirectory();
        }
        catch (EndpointRefusedException e)
        {
            Console.Error.WriteLine("StepUp director: " + e.Message);
            return 1;
        }
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
            var server = new DirectorServer(endpoint, log, sdkVersion);
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
        _life.Listening();
        _ = WatchAsync();

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
            _ = ServeConnectionAsync(client);
        }
        // Let requests in flight (a build, a shutdown answer) finish before the process ends.
        var waited = Stopwatch.StartNew();
        while (_life.Active > 0 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50).ConfigureAwait(false);
        _handler.ReleaseIdleSessions(TimeSpan.Zero);
        _log.Write("stopped");
        return 0;
    }

    async Task ServeConnectionAsync(Socket client)
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
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            // Only real internal errors get here, with their trace; bad input is answered and logged in one line.
            _log.Write("request failed: " + e);
        }
    }

    /// <summary>A valid request arrived: it counts as activity until <see cref="Leave"/>.</summary>
    public bool TryEnter() => _life.TryEnter();

    public void Leave()
    {
        _life.Leave();
        if (_life.IdleExpired() is { } reason) Stop(reason);
    }

    /// <summary>Each project request says how long the director may stay idle after it (0: transient).</summary>
    public void OfferKeepAlive(TimeSpan keepAlive) => _life.OfferKeepAlive(keepAlive);

    public void Stop(string reason)
    {
        if (!_life.BeginShutdown()) return;
        _log.Write("stopping: " + reason);
        _stop.Cancel();
    }

    async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            _handler.ReleaseIdleSessions(Contract.SessionKeepAlive);
            if (_life.IdleExpired() is { } reason) Stop(reason);
            else if (!File.Exists(_endpoint.SocketPath)) Stop("the socket file was removed");
        }
    }
}
