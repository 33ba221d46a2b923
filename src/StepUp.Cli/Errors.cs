namespace StepUp.Cli;

/// <summary>The command line is wrong: exit code 2, with the command's usage line.</summary>
sealed class UsageException(string message) : Exception(message);

/// <summary>The command was understood but could not be done: exit code 1 unless told otherwise.</summary>
sealed class CliException(string message, int exitCode = ExitCodes.Error) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The exit codes of <c>stepup</c>.</summary>
static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;
    public const int Usage = 2;

    /// <summary>EX_TEMPFAIL: an amended input is not built yet; the director runs the step again later.</summary>
    public const int NotBuiltYet = 75;
}
