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

    // Quoted even when plain: a word such as 'if' or 'a=b' must stay a word, not shell syntax.
    static string AlwaysQuote(string word) => "'" + word.Replace("'", "'\"'\"'") + "'";
}
