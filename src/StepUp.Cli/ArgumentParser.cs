namespace StepUp.Cli;

/// <summary>What a command line said: option values, flags and the remaining words.</summary>
sealed class ParsedArguments
{
    readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = new();
    public bool HelpRequested { get; set; }

    public void AddValue(string option, string value)
    {
        if (!_values.TryGetValue(option, out var list)) _values[option] = list = new List<string>();
        list.Add(value);
    }

    public void SetFlag(string option) => _flags.Add(option);

    /// <summary>Every value given to a repeatable option, in order (empty when none).</summary>
    public List<string> Values(string option) => _values.TryGetValue(option, out var list) ? list : new List<string>();

    /// <summary>The value of a single option, or null when it was not given.</summary>
    public string? Value(string option) => _values.TryGetValue(option, out var list) ? list[^1] : null;

    public bool Flag(string option) => _flags.Contains(option);
}

/// <summary>
/// Parses the words after the command name. Options are <c>--name value</c> or <c>--name=value</c>;
/// <c>-h</c>/<c>--help</c> asks for help; <c>--</c> ends the options. With
/// <c>wordsEndOptions</c>, the first word that is not an option ends the options too (as in
/// <c>env</c> or <c>nice</c>): it and everything after it are positionals, options or not.
/// </summary>
static class ArgumentParser
{
    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options, bool wordsEndOptions)
    {
        var parsed = new ParsedArguments();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < args.Count)
        {
            var arg = args[i++];
            if (arg == "--")
            {
                AddRest(parsed, args, i);
                return parsed;
            }
            if (arg == "-h" || arg == "--help")
            {
                parsed.HelpRequested = true;
                continue;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                if (wordsEndOptions)
                {
                    AddRest(parsed, args, i - 1);
                    return parsed;
                }
                parsed.Positionals.Add(arg);
                continue;
            }

            var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            var name = eq >= 0 ? arg.Substring(0, eq) : arg;
            var spec = Find(options, name) ?? throw new UsageException("unknown option " + name);
            if (!spec.Repeatable && !seen.Add(spec.Name))
                throw new UsageException("option " + spec.Name + " given more than once");
            if (spec.IsFlag)
            {
                if (eq >= 0) throw new UsageException("option " + spec.Name + " takes no value");
                parsed.SetFlag(spec.Name);
                continue;
            }
            string value;
            if (eq >= 0) value = arg.Substring(eq + 1);
            else if (i < args.Count) value = args[i++];
            else throw new UsageException("option " + spec.Name + " needs a value (" + spec.HelpTerm + ")");
            parsed.AddValue(spec.Name, value);
        }
        return parsed;
    }

    static void AddRest(ParsedArguments parsed, IReadOnlyList<string> args, int from)
    {
        for (var j = from; j < args.Count; j++) parsed.Positionals.Add(args[j]);
    }

    static OptionSpec? Find(IReadOnlyList<OptionSpec> options, string name)
    {
        foreach (var option in options)
            if (option.Name == name) return option;
        return null;
    }
}
