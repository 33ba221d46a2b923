using System.Net.Sockets;
using System.Text;
using StepUp.Protocol;

namespace StepUp.Tests.EndToEnd;

/// <summary>A client of the director's socket that sends whatever a test wants, bytes or frames.</summary>
sealed class RawConnection : IDisposable
{
    readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    // Made while connected: a send that fails once the director has closed marks the socket
    // disconnected, and a stream made then would refuse to read the answer that is still there.
    readonly NetworkStream _stream;

    public RawConnection(string socketPath)
    {
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        _stream = new NetworkStream(_socket, ownsSocket: false);
    }

    /// <summary>The socket of the director that serves <paramref name="home"/>.</summary>
    public static string SocketOf(DirectorHome home)
    {
        var sockets = Directory.GetFiles(home.Dir, "d-*.sock");
        Assert.AreEqual(1, sockets.Length, "one director socket in " + home.Dir + ": " + string.Join(", ", sockets));
        return sockets[0];
    }

    /// <summary>Sends what the director takes; it may close the connection before taking everything.</summary>
    public void Send(byte[] bytes)
    {
        try
        {
            _socket.Send(bytes);
        }
        catch (SocketException)
        {
            // The director answered and closed before taking everything: the answer is still there to read.
        }
    }

    public void SendFrame(string json) => SendFrame(Encoding.UTF8.GetBytes(json));

    public void SendFrame(byte[] payload)
    {
        var n = payload.Length;
        Send([(byte)n, (byte)(n >> 8), (byte)(n >> 16), (byte)(n >> 24)]);
        Send(payload);
    }

    /// <summary>The director's answer as the task reads it; fails when none comes within <paramref name="limit"/>.</summary>
    public Message ReceiveEvent(TimeSpan limit)
    {
        _socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
        byte[]? frame;
        try
        {
            frame = Framing.Read(_stream, ProtocolInfo.MaxAnswerBytes);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
        {
            Assert.Fail($"The director did not answer within {limit.TotalSeconds} s");
            throw;
        }
        Assert.IsNotNull(frame, "The director closed the connection without answering");
        return Messages.ReadEvent(frame);
    }

    /// <summary>True when the director closes the connection within <paramref name="limit"/> (sending nothing).</summary>
    public bool ClosedByDirectorWithin(TimeSpan limit)
    {
        _socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
        try
        {
            return _socket.Receive(new byte[1]) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
