using System.Net.Sockets;
using StepUp.Protocol;

namespace StepUp.Cli;

/// <summary>One request and its answer over the director's Unix socket, with clear errors.</summary>
static class DirectorConnection
{
    public static Dictionary<string, object?> Exchange(string socketPath, Dictionary<string, object?> request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(UnixSocket.EndPointFor(socketPath));
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            if (!File.Exists(socketPath))
                throw new CliException("cannot connect to the StepUp director: its socket " + socketPath +
                    " does not exist (did the build that runs this step end?)");
            throw new CliException("cannot connect to the StepUp director at " + socketPath + ": " + e.Message +
                " (did the build that runs this step end?)");
        }
        CheckPeer(socket, socketPath);

        using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            Framing.WriteMessage(stream, request);
            return Framing.ReadMessage(stream)
                ?? throw new CliException("the StepUp director at " + socketPath + " closed the connection without answering");
        }
        catch (IOException e)
        {
            throw new CliException("lost the connection to the StepUp director at " + socketPath + ": " + e.Message);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new CliException("the StepUp director at " + socketPath + " sent a malformed answer: " + e.Message);
        }
    }

    /// <summary>The request carries the step's token: only send it to a director of this user.</summary>
    static void CheckPeer(Socket socket, string socketPath)
    {
        if (OperatingSystem.IsWindows()) return;
        if (UnixUser.PeerUserId(socket) is uint peer && peer != UnixUser.EffectiveUserId())
            throw new CliException("the socket " + socketPath + " belongs to another user (uid " + peer + "), not to this user's StepUp director");
    }
}
