using System.Text;

namespace StepUp.Engine.Planning;

public static class ShellQuote
{
    /// <summary>Quotes a word for /bin/sh only when it needs it.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_-./+=:@%,^".Contains(c))) return word;
        return "'" + word.Replace("'", "'\"'\"'") + "'";
    }

    public static string Join(IEnumerable<string> words) => string.Join(" ", words.Select(Quote));

    /// <summary>Replaces ${inp}, ${out} and ${vol}; any other ${name} is left for the shell.</summary>
    public static string ExpandPlaceholders(string command, IReadOnlyList<string> inp, IReadOnlyList<string> @out, IReadOnlyList<string> vol)
    {
        if (!command.Contains("${", StringComparison.Ordinal)) return command;
        var sb = new StringBuilder(command);
        sb.Replace("${inp}", Join(inp));
        sb.Replace("${out}", Join(@out));
        sb.Replace("${vol}", Join(vol));
        return sb.ToString();
    }
}
