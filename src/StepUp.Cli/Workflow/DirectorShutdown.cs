namespace StepUp.Cli.Workflow;

/// <summary>`stepup shutdown --director`: stops the director of this package, as `dotnet build -t:StepUpShutdown` does.</summary>
static class DirectorShutdown
{
    public static void Run(PackageLayout package, TextWriter output)
    {
        var endpoint = new Endpoint(Endpoint.DefaultDirectory(), Endpoint.ComputeId(package.Version, package.DirectorPath));
        using var stream = endpoint.TryConnect();
        if (stream == null)
        {
            output.WriteLine("No StepUp director is running.");
            return;
        }
        Framing.Write(stream, new ShutdownRequest().ToFrame());
        var frame = Framing.Read(stream, ProtocolInfo.MaxAnswerBytes);
        if (frame != null && Messages.ReadEvent(frame) is ShutdownReply stopping)
            output.WriteLine("Stopped the StepUp director (pid " + stopping.Pid + ").");
        else
            throw new CliException("the StepUp director did not confirm the shutdown; see " + endpoint.LogPath);
    }
}
