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

    /// <summary>
    /// Replaces each <c>${name}</c> whose name has a replacement, in one pass (a replaced value is
    /// never scanned again); any other <c>${name}</c> is left for the shell.
    /// </summary>
    public static string ExpandNamed(string command, IReadOnlyDictionary<string, string> replacements)
    {
        if (!command.Contains("${", StringComparison.Ordinal)) return command;
        var sb = new StringBuilder(command.Length + 64);
        var i = 0;
        while (i < command.Length)
        {
            var open = command.IndexOf("${", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : command.IndexOf('}', open + 2);
            if (close < 0)
            {
                sb.Append(command, i, command.Length - i);
                break;
            }
            sb.Append(command, i, open - i);
            if (replacements.TryGetValue(command[(open + 2)..close], out var value)) sb.Append(value);
            else sb.Append(command, open, close + 1 - open);
            i = close + 1;
        }
        return sb.ToString();
    }
}
