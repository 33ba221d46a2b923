namespace StepUp.Cli;

/// <summary>One request and its answer over the director's Unix socket, with clear errors.</summary>
static class DirectorConnection
{
    /// <summary>Sends <paramref name="call"/> and returns the answer: its reply, an error or a rejection.</summary>
    public static Message Exchange(string socketPath, StepCall call)
    {
        Stream? stream;
        try
        {
            // The call carries the step's token: it only goes to a director of this user.
            stream = Endpoint.TryConnect(socketPath);
        }
        catch (EndpointRefusedException e)
        {
            throw new CliException(e.Message);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            throw new CliException("cannot connect to the StepUp director at " + socketPath + ": " + e.Message + " (did the build that runs this step end?)");
        }
        if (stream == null)
        {
            throw new CliException(File.Exists(socketPath)
                ? "cannot connect to the StepUp director at " + socketPath + ": nothing listens there (did the build that runs this step end?)"
                : "cannot connect to the StepUp director: its socket " + socketPath + " does not exist (did the build that runs this step end?)");
        }
        using (stream)
        {
            try
            {
                Framing.Write(stream, call.ToFrame());
                var frame = Framing.Read(stream, ProtocolInfo.MaxAnswerBytes)
                    ?? throw new CliException("the StepUp director at " + socketPath + " closed the connection without answering");
                return Messages.ReadStepAnswer(frame, call);
            }
            catch (IOException e)
            {
                throw new CliException("lost the connection to the StepUp director at " + socketPath + ": " + e.Message);
            }
            catch (ProtocolException e)
            {
                throw new CliException("the StepUp director at " + socketPath + " sent a malformed answer: " + e.Message);
            }
        }
    }
}
