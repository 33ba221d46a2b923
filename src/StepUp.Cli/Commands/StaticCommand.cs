namespace StepUp.Cli.Commands;

/// <summary><c>stepup static</c>: declares files that no step makes (api.static).</summary>
sealed class StaticCommand() : Command("static", "P...", "declare static files (files that no step makes)", """
    Declares static files: sources that no step makes, so that steps may use them as inputs.
    Paths are relative to the current folder; a trailing / names a folder: every file under it.
    Use "--" before paths that start with "-".
    """)
{
    protected override int Execute(ParsedArguments args, TextWriter output, TextWriter errors)
    {
        if (args.Positionals.Count == 0) throw new UsageException("no path given");
        Connect().Call<StaticReply>(new DeclareStaticCall { Paths = args.Positionals });
        return ExitCodes.Success;
    }
}
