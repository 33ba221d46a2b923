using StepUp.Tasks;

namespace StepUp.Cli.Workflow;

/// <summary>
/// What the relay of a request's events saw: its "done" (null when the director went away), the
/// warnings and errors, and whether a build target was refused (STEPUP0700: nothing ran).
/// </summary>
sealed record RelayOutcome(DoneEvent? Done, int Warnings, int Errors, bool InvalidTargets = false)
{
    /// <summary>An error stopped the build before its steps ran (StepUp's scheduler drained).</summary>
    public bool Drained { get; init; }
}

/// <summary>Project requests of the `stepup` command to the director, which it starts when none runs.</summary>
static class DirectorRequests
{
    /// <exception cref="CliException">No director answers and none could be started.</exception>
    public static Stream Connect(PackageLayout package)
    {
        try
        {
            return StepUp.Tasks.DirectorConnection.Connect(package.DirectorPath, PackageLayout.DotnetHost(), package.Version, out _);
        }
        catch (DirectorUnavailableException e)
        {
            throw new CliException("the StepUp director could not be reached or started: " + e.Message);
        }
        catch (EndpointRefusedException e)
        {
            throw new CliException("StepUp refuses the director endpoint: " + e.Message);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new CliException("cannot connect to the StepUp director: " + e.Message);
        }
    }

    /// <summary>Prints the events of a request until its "done".</summary>
    public static RelayOutcome Relay(Stream stream, EventPrinter printer)
    {
        int warnings = 0, errors = 0;
        var invalidTargets = false;
        var drained = false;
        while (true)
        {
            byte[]? frame;
            Message message;
            try
            {
                frame = Framing.Read(stream, ProtocolInfo.MaxAnswerBytes);
                if (frame == null)
                {
                    printer.Line("ERROR", "The StepUp director stopped before the build was done; the next build repairs the graph.");
                    return new RelayOutcome(null, warnings, errors + 1);
                }
                message = Messages.ReadEvent(frame);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or ProtocolException)
            {
                printer.Line("ERROR", "Lost the connection to the StepUp director: " + e.Message);
                return new RelayOutcome(null, warnings, errors + 1);
            }
            switch (message)
            {
                case DoneEvent done:
                    printer.Finish();
                    return new RelayOutcome(done, warnings, errors, invalidTargets) { Drained = drained };
                case Rejection rejection:
                    printer.Line("ERROR", "The StepUp director refused the request (" + rejection.Code + "): " + rejection.Reason);
                    return new RelayOutcome(null, warnings, errors + 1);
                case DiagnosticEvent diagnostic:
                    // A step that cannot run stays pending, which StepUp reports as a warning; the
                    // return code says so with its PENDING bit, not with the WARNING bit.
                    if (diagnostic.Code == Codes.MissingInput) diagnostic.IsWarning = true;
                    else if (diagnostic.IsWarning) warnings++;
                    else errors++;
                    invalidTargets |= diagnostic.Code == Codes.InvalidTarget;
                    drained |= diagnostic.Code == Codes.StaticBecameFolder;
                    printer.Event(diagnostic);
                    break;
                default:
                    printer.Event(message);
                    break;
            }
        }
    }

    /// <summary>As the MSBuild task decides: on CI the director ends when it has nothing left to do.</summary>
    public static bool IsCi()
    {
        var value = Environment.GetEnvironmentVariable("CI");
        return !string.IsNullOrEmpty(value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) && value != "0";
    }
}

/// <summary>`stepup graph PREFIX`: the graph of a project written by the director.</summary>
static class GraphRequest
{
    /// <param name="prefix">Absolute, or relative to the project root.</param>
    public static bool Write(PackageLayout package, string root, string prefix, EventPrinter printer)
    {
        var relative = Path.IsPathRooted(prefix) ? Path.GetRelativePath(root, prefix) : prefix;
        using var stream = DirectorRequests.Connect(package);
        Framing.Write(stream, new GraphProjectRequest { Root = root, Prefix = relative, Transient = DirectorRequests.IsCi() }.ToFrame());
        var outcome = DirectorRequests.Relay(stream, printer);
        return outcome.Done is { Success: true };
    }
}
