namespace StepUp.Cli;

/// <summary>
/// The director's step API as seen from a running step (docs/step-api.md): where the director is,
/// the step's token, the fields every request carries, and what the answers mean.
/// </summary>
sealed class StepApi
{
    readonly string _socketPath;
    readonly string _token;

    StepApi(string socketPath, string token)
    {
        _socketPath = socketPath;
        _token = token;
    }

    /// <summary>The director that runs this step, from the environment it gave the step.</summary>
    public static StepApi FromEnvironment(string commandName)
    {
        var socket = Environment.GetEnvironmentVariable(ProtocolInfo.EnvDirectorSocket);
        var token = Environment.GetEnvironmentVariable(ProtocolInfo.EnvStepToken);
        if (string.IsNullOrEmpty(socket) && Environment.GetEnvironmentVariable(ProtocolInfo.EnvExecutor) == Contract.SlurmExecutor)
            throw new CliException(Codes.ClientInSlurmJob + ": `" + commandName + "` works only in local steps, and this step runs as a Slurm job, " +
                "where the StepUp director cannot be reached: give the step Executor=\"local\".");
        if (string.IsNullOrEmpty(socket))
            throw new CliException(NotInStep(commandName, ProtocolInfo.EnvDirectorSocket));
        if (string.IsNullOrEmpty(token))
            throw new CliException(NotInStep(commandName, ProtocolInfo.EnvStepToken));
        return new StepApi(socket, token);
    }

    static string NotInStep(string commandName, string variable) =>
        "`" + commandName + "` only works inside a step run by StepUp (`dotnet build` of a .stepproj): " +
        variable + " is not set.";

    /// <summary>
    /// Sends <paramref name="call"/> with the step's token and working folder and returns the "ok"
    /// answer; an "error" or "rejected" answer becomes a <see cref="CliException"/>.
    /// </summary>
    public TReply Call<TReply>(StepCall call) where TReply : StepReply
    {
        call.Token = _token;
        call.Cwd = Environment.CurrentDirectory;
        switch (DirectorConnection.Exchange(_socketPath, call))
        {
            case TReply reply:
                return reply;
            case ErrorReply error:
                throw new CliException(NonEmpty(error.Text, "the director reported an error without a message"));
            case Rejection rejection:
                throw new CliException("the director rejected the request: " + NonEmpty(rejection.Reason, "no reason given"));
            case var other:
                throw new CliException("the director gave an unexpected answer of type '" + other.Type + "'");
        }
    }

    static string NonEmpty(string text, string fallback) => string.IsNullOrEmpty(text) ? fallback : text;
}
