namespace StepUp.Engine.Running;

/// <summary>
/// The /bin/sh line a runner runs for a step. A shell step's command is that line. A step of
/// StepUp 4's run() has no shell syntax: its words are quoted and exec'ed, so the shell only starts
/// the program (found as a path relative to the workdir when it holds a '/', else on PATH) and
/// expands nothing. A Python script goes through the launcher stepup.core.pyrun, which checks its
/// shebang and amends the local modules it imports.
/// </summary>
public static class LaunchCommand
{
    public static string Of(StepDefinition step)
    {
        if (step.Shell || step.Argv.Count == 0) return step.Command;
        var words = step.Argv[0].EndsWith(".py", StringComparison.Ordinal)
            ? new[] { "python3", "-m", "stepup.core.pyrun" }.Concat(step.Argv)
            : step.Argv;
        return "exec " + string.Join(' ', words.Select(AlwaysQuote));
    }

    /// <summary>
    /// Why the local program of a step without a shell cannot be executed, as execve would refuse
    /// it (the shell that starts it would run a file without a #! line as a shell script instead):
    /// neither a #! line nor an ELF or Mach-O header. Null when it can, or when it is not a local
    /// file (then the shell reports what is wrong). Python scripts are checked by their launcher.
    /// </summary>
    public static string? ExecProblem(StepDefinition step, string workdir)
    {
        if (step.Shell || step.Argv.Count == 0) return null;
        var program = step.Argv[0];
        if (!program.Contains('/') || program.EndsWith(".py", StringComparison.Ordinal)) return null;
        Span<byte> head = stackalloc byte[4];
        int read;
        try
        {
            using var stream = File.OpenRead(Path.Combine(workdir, program));
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (read >= 2 && head[0] == '#' && head[1] == '!') return null;
        if (read == 4 && (head.SequenceEqual("\u007fELF"u8) || IsMachO(BitConverter.ToUInt32(head)))) return null;
        return $"cannot be executed: '{program}' starts with neither a '#!' line nor a binary header (exec format error).";
    }

    static bool IsMachO(uint magic) => magic is 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE or 0xCAFEBABE or 0xBEBAFECA;

    // Quoted even when plain: a word such as 'if' or 'a=b' must stay a word, not shell syntax.
    static string AlwaysQuote(string word) => "'" + word.Replace("'", "'\"'\"'") + "'";
}
