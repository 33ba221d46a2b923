using System.Text;

namespace StepUp.Cli;

/// <summary>One subcommand of <c>stepup</c>: its options, its help, and what it does.</summary>
/// <param name="name">The word after <c>stepup</c>.</param>
/// <param name="argumentsUsage">The positional part of the usage line, e.g. <c>-- COMMAND...</c>.</param>
/// <param name="summary">One line for the list of commands.</param>
/// <param name="description">What the command does, for its help; lines of at most about 90 characters.</param>
abstract class Command(string name, string argumentsUsage, string summary, string description)
{
    public string Name { get; } = name;

    public string Summary { get; } = summary;

    public virtual IReadOnlyList<OptionSpec> Options => [];

    /// <summary>The usage line shows the positional arguments before the options (<c>stepup script EXE [--workdir D]</c>).</summary>
    protected virtual bool ArgumentsFirstInUsage => false;

    /// <summary>The first word that is not an option ends the options (for commands that take a command).</summary>
    protected virtual bool WordsEndOptions => false;

    /// <summary>Does the command with the parsed arguments and returns the exit code.</summary>
    protected abstract int Execute(ParsedArguments args, TextWriter output, TextWriter errors);

    public string Usage
    {
        get
        {
            var sb = new StringBuilder("stepup ").Append(Name);
            if (ArgumentsFirstInUsage && argumentsUsage.Length > 0) sb.Append(' ').Append(argumentsUsage);
            foreach (var option in Options) sb.Append(' ').Append(option.UsageText);
            if (!ArgumentsFirstInUsage && argumentsUsage.Length > 0) sb.Append(' ').Append(argumentsUsage);
            return sb.ToString();
        }
    }

    public string Help
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append("usage: ").Append(Usage).Append('\n');
            sb.Append('\n').Append(description.TrimEnd()).Append('\n');
            sb.Append("\noptions:\n");
            var width = "-h, --help".Length;
            foreach (var option in Options) width = Math.Max(width, option.HelpTerm.Length);
            foreach (var option in Options)
                sb.Append("  ").Append(option.HelpTerm.PadRight(width + 2)).Append(option.Help)
                  .Append(option.Repeatable ? " (repeatable)" : "").Append('\n');
            sb.Append("  ").Append("-h, --help".PadRight(width + 2)).Append("show this help and exit\n");
            return sb.ToString();
        }
    }

    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        ParsedArguments parsed;
        try
        {
            parsed = ArgumentParser.Parse(args, Options, WordsEndOptions);
        }
        catch (UsageException) when (AsksForHelp(args))
        {
            output.Write(Help);
            return ExitCodes.Success;
        }
        if (parsed.HelpRequested)
        {
            output.Write(Help);
            return ExitCodes.Success;
        }
        return Execute(parsed, output, errors);
    }

    /// <summary>Help asked for before "--": it wins over mistakes elsewhere on the line.</summary>
    static bool AsksForHelp(IReadOnlyList<string> args)
    {
        foreach (var arg in args)
        {
            if (arg == "--") return false;
            if (arg == "-h" || arg == "--help") return true;
        }
        return false;
    }

    /// <summary>The step API of the director that runs the calling step.</summary>
    protected StepApi Connect() => StepApi.FromEnvironment("stepup " + Name);

    protected static void NoPositionals(ParsedArguments args)
    {
        if (args.Positionals.Count > 0) throw new UsageException("unexpected argument '" + args.Positionals[0] + "'");
    }

    /// <summary>The only positional argument, named <paramref name="what"/> in errors.</summary>
    protected static string OnePositional(ParsedArguments args, string what)
    {
        if (args.Positionals.Count == 0) throw new UsageException(what + " is missing");
        if (args.Positionals.Count > 1) throw new UsageException("unexpected argument '" + args.Positionals[1] + "' after " + what);
        return args.Positionals[0];
    }
}
