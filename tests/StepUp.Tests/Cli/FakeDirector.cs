using System.Net.Sockets;
using StepUp.Protocol;

namespace StepUp.Tests.Cli;

/// <summary>
/// A stand-in for the director's step API: listens on a Unix socket in a fresh temp folder, reads
/// one framed request per connection, records it, and answers what <c>reply</c> says (null: hangs up
/// without answering).
/// </summary>
sealed class FakeDirector : IDisposable
{
    readonly Socket _listener;
    readonly Func<Dictionary<string, object?>, Dictionary<string, object?>?> _reply;
    readonly List<Dictionary<string, object?>> _requests = new();
    readonly Task _loop;

    public FakeDirector(Func<Dictionary<string, object?>, Dictionary<string, object?>?> reply)
    {
        _reply = reply;
        Folder = Path.Combine(Path.GetTempPath(), "stepup-cli-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Folder);
        SocketPath = Path.Combine(Folder, "d.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(UnixSocket.EndPointFor(SocketPath));
        _listener.Listen(8);
        _loop = Task.Run(AcceptLoop);
    }

    public FakeDirector(Dictionary<string, object?>? reply) : this(_ => reply) { }

    /// <summary>A folder of its own, also good as the working folder of the client.</summary>
    public string Folder { get; }

    public string SocketPath { get; }

    public IReadOnlyList<Dictionary<string, object?>> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    /// <summary>The only request received.</summary>
    public Dictionary<string, object?> Request
    {
        get
        {
            var requests = Requests;
            Assert.AreEqual(1, requests.Count, "requests received by the fake director");
            return requests[0];
        }
    }

    void AcceptLoop()
    {
        while (true)
        {
            Socket client;
            try { client = _listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            using (client)
            using (var stream = new NetworkStream(client, ownsSocket: false))
            {
                try
                {
                    var frame = Framing.Read(stream, ProtocolInfo.MaxRequestBytes);
                    if (frame == null || TestJson.Parse(frame) is not Dictionary<string, object?> request) continue;
                    lock (_requests) _requests.Add(request);
                    var answer = _reply(request);
                    if (answer != null) Framing.Write(stream, System.Text.Encoding.UTF8.GetBytes(TestJson.Write(answer)));
                }
                catch (IOException) { }
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
