using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace StepUp.Cli.Workflow;

/// <summary>
/// How `stepup wait`, `join`, `rebuild`, `graph` and `shutdown` reach the `stepup build` that runs in a
/// folder: a Unix socket in the user's private director folder, named after the project root. One
/// request a connection: a line "VERB\tARGUMENT", answered by "ok\tTEXT" or "error\tTEXT".
/// </summary>
static class ControlChannel
{
    /// <summary>The answer when the build ended while the request waited.</summary>
    public const string EndedText = "the build ended before it answered";

    public static string SocketPath(string root)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root)));
        return Path.Combine(Endpoint.DefaultDirectory(), "b-" + Convert.ToHexStringLower(hash)[..16] + ".sock");
    }

    /// <summary>A connection to the build of <paramref name="socketPath"/>, or null when none listens there.</summary>
    public static Stream? TryConnect(string socketPath) => Endpoint.TryConnect(socketPath);

    /// <summary>
    /// Sends one request to the build of <paramref name="root"/> and returns (ok, text); null when no
    /// build answered within <paramref name="patience"/> (a build started in the background may
    /// still be starting).
    /// </summary>
    public static (bool Ok, string Text)? Ask(string root, string verb, string argument, TimeSpan patience)
    {
        var path = SocketPath(root);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stream = TryConnect(path);
            if (stream != null)
            {
                using (stream)
                {
                    var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
                    writer.WriteLine(verb + "\t" + argument);
                    writer.Flush();
                    var answer = new StreamReader(stream, Encoding.UTF8).ReadLine();
                    if (answer == null) return (false, EndedText);
                    var tab = answer.IndexOf('\t');
                    var status = tab < 0 ? answer : answer[..tab];
                    return (status == "ok", tab < 0 ? "" : answer[(tab + 1)..]);
                }
            }
            if (clock.Elapsed >= patience) return null;
            Thread.Sleep(50);
        }
    }
}

/// <summary>The listening side of <see cref="ControlChannel"/>, owned by `stepup build`.</summary>
sealed class ControlServer : IDisposable
{
    readonly Socket _listener;
    readonly string _path;
    readonly CancellationTokenSource _stop = new();

    ControlServer(Socket listener, string path)
    {
        _listener = listener;
        _path = path;
    }

    /// <exception cref="CliException">Another build already runs in this root.</exception>
    public static ControlServer Open(string root)
    {
        var directory = Endpoint.DefaultDirectory();
        new Endpoint(directory, "control").MakePrivateDirectory();
        var path = ControlChannel.SocketPath(root);
        if (File.Exists(path))
        {
            var live = ControlChannel.TryConnect(path);
            if (live != null)
            {
                live.Dispose();
                throw new CliException("a StepUp build already runs in " + root + " (`stepup shutdown` stops it)");
            }
            File.Delete(path);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(UnixSocket.EndPointFor(path));
        UnixUser.MakeOwnerOnly(path);
        listener.Listen(16);
        return new ControlServer(listener, path);
    }

    /// <summary>Serves requests in the background; each is answered by <paramref name="handle"/>(verb, argument).</summary>
    public void Start(Func<string, string, Task<(bool Ok, string Text)>> handle) => _ = AcceptLoop(handle);

    async Task AcceptLoop(Func<string, string, Task<(bool Ok, string Text)>> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (UnixUser.PeerUserId(client) != UnixUser.EffectiveUserId())
            {
                client.Dispose();
                continue;
            }
            _ = ServeAsync(client, handle);
        }
    }

    static async Task ServeAsync(Socket client, Func<string, string, Task<(bool Ok, string Text)>> handle)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var reader = new StreamReader(stream, Encoding.UTF8);
            var line = await reader.ReadLineAsync().ConfigureAwait(false);
            if (line == null) return;
            var tab = line.IndexOf('\t');
            var (ok, text) = await handle(tab < 0 ? line : line[..tab], tab < 0 ? "" : line[(tab + 1)..]).ConfigureAwait(false);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            await writer.WriteLineAsync((ok ? "ok" : "error") + "\t" + text.Replace('\n', ' ')).ConfigureAwait(false);
            await writer.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { File.Delete(_path); } catch (IOException) { }
    }
}
