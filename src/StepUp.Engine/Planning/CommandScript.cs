using System.Text.RegularExpressions;

namespace StepUp.Engine.Planning;

/// <summary>
/// The program file a command runs, read from its words as the shell would split them: the first
/// word when it is a path (<c>./plan.py</c>), or the first operand of an interpreter
/// (<c>python3 plan.py</c>, <c>bash -e build.sh</c>, <c>dotnet run app.cs</c>). Editing that file
/// must rerun the step, so the planner makes it an input.
/// </summary>
public static partial class CommandScript
{
    static readonly HashSet<string> Interpreters = new(StringComparer.Ordinal)
    {
        "python", "python2", "python3", "pypy", "pypy3", "sh", "bash", "dash", "zsh", "ksh", "perl", "Rscript",
        "node", "nodejs", "ruby", "julia", "lua", "php", "tclsh", "deno", "bun",
    };

    static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "dash", "zsh", "ksh" };

    /// <summary>Options after which the program is given inline (<c>sh -c</c>, <c>python3 -m</c>, <c>perl -e</c>), not as a file.</summary>
    static readonly HashSet<string> InlineInShells = new(StringComparer.Ordinal) { "-c" };
    static readonly HashSet<string> InlineInPython = new(StringComparer.Ordinal) { "-c", "-m" };
    static readonly HashSet<string> InlineInDotnet = new(StringComparer.Ordinal) { "--project" };
    static readonly HashSet<string> InlineInOthers = new(StringComparer.Ordinal) { "-e", "-E", "--eval", "-r" };

    /// <summary>Options whose value is the next word (<c>python3 -W ignore x.py</c>).</summary>
    static readonly HashSet<string> OptionsWithValue = new(StringComparer.Ordinal) { "-W", "-X", "--framework", "--configuration" };

    /// <summary>
    /// The word naming the program file, and whether an interpreter runs it; null when the command
    /// starts with a program from PATH or gives its program inline.
    /// </summary>
    public static (string Word, bool Interpreted)? Find(string command)
    {
        // The words of the first simple command: a word with a substitution, or an open quote, is unknowable here.
        var words = ShellWords.Split(command, firstCommandOnly: true, out _);
        var i = 0;
        while (i < words.Count && IsAssignment(words[i])) i++;
        if (i < words.Count && words[i] == "env")
            for (i++; i < words.Count && (IsAssignment(words[i]) || words[i].StartsWith('-')); i++) { }
        if (i >= words.Count) return null;
        var program = words[i++];
        var name = program[(program.LastIndexOf('/') + 1)..];
        HashSet<string> inline;
        if (name == "dotnet" && i < words.Count && words[i] == "run")
        {
            i++;
            inline = InlineInDotnet;
        }
        else if (name == "uv" && i < words.Count && words[i] == "run")
        {
            i++;
            inline = InlineInPython;
        }
        else if (Shells.Contains(name)) inline = InlineInShells;
        else if (name.StartsWith("py", StringComparison.Ordinal) && (Interpreters.Contains(name) || VersionedPython().IsMatch(name))) inline = InlineInPython;
        else if (Interpreters.Contains(name)) inline = InlineInOthers;
        else return program.Contains('/') ? (program, false) : null;
        for (; i < words.Count; i++)
        {
            var word = words[i];
            if (inline.Contains(word)) return null;
            if (OptionsWithValue.Contains(word)) i++;
            else if (!word.StartsWith('-')) return (word, true);
        }
        return null;
    }

    [GeneratedRegex(@"^python[0-9][0-9.]*$")]
    private static partial Regex VersionedPython();

    static bool IsAssignment(string word) =>
        word.IndexOf('=') is > 0 and var eq && (char.IsLetter(word[0]) || word[0] == '_') && word[..eq].All(c => char.IsLetterOrDigit(c) || c == '_');
}
