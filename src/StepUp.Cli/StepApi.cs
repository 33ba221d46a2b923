using StepUp.Protocol;

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
    /// Sends a request of <paramref name="type"/> with <paramref name="fields"/> and returns the "ok"
    /// answer; an "error" or "rejected" answer becomes a <see cref="CliException"/>.
    /// </summary>
    public Dictionary<string, object?> Call(string type, Dictionary<string, object?> fields)
    {
        var request = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = type,
            ["protocol"] = (long)ProtocolInfo.Version,
            ["token"] = _token,
            ["cwd"] = Environment.CurrentDirectory,
        };
        foreach (var (key, value) in fields) request[key] = value;

        var answer = DirectorConnection.Exchange(_socketPath, request);
        switch (answer.Str("type"))
        {
            case "ok":
                return answer;
            case "error":
                throw new CliException(NonEmpty(answer.Str("message"), "the director reported an error without a message"));
            case "rejected":
                throw new CliException("the director rejected the request: " + NonEmpty(answer.Str("reason"), "no reason given"));
            case var other:
                throw new CliException("the director gave an unexpected answer" + (other == null ? " without a type" : " of type '" + other + "'"));
        }
    }

    static string NonEmpty(string? text, string fallback) => string.IsNullOrEmpty(text) ? fallback : text;
}
