using System.Collections.Generic;
using System.Text;

namespace StepUp
{
    /// <summary>
    /// Text split into words as a shell splits them, with nothing expanded: white space separates
    /// words, and single or double quotes keep what they enclose, spaces included (the quotes
    /// themselves are removed; a backslash is an ordinary character). Commands and sbatch options
    /// (StepUpSlurmOptions, SlurmOptions) are read by this one scanner.
    /// </summary>
    public static class ShellWords
    {
        /// <summary>
        /// The words of <paramref name="text"/>. With <paramref name="firstCommandOnly"/> (a command line), only those of its
        /// first simple command: an operator (; &amp; | &lt; &gt; ( ) `) outside quotes ends them, and so does a
        /// substitution ($), without the word it stands in, whose value cannot be known here. Without it (option
        /// text), those characters are part of words. <paramref name="openQuote"/> is the quote left open at the end,
        /// '\0' when none is; the word it opened is not among the words.
        /// </summary>
        public static List<string> Split(string text, bool firstCommandOnly, out char openQuote)
        {
            openQuote = '\0';
            var words = new List<string>();
            var word = new StringBuilder();
            var inWord = false;
            var quote = '\0';
            foreach (var c in text)
            {
                if (quote != '\0')
                {
                    if (c == quote) quote = '\0';
                    else word.Append(c);
                }
                else if (c == '\'' || c == '"')
                {
                    quote = c;
                    inWord = true;
                }
                else if (firstCommandOnly && c == '$')
                {
                    return words;
                }
                else if (char.IsWhiteSpace(c) || firstCommandOnly && IsOperator(c))
                {
                    if (inWord) words.Add(word.ToString());
                    if (!char.IsWhiteSpace(c)) return words;
                    word.Clear();
                    inWord = false;
                }
                else
                {
                    word.Append(c);
                    inWord = true;
                }
            }
            openQuote = quote;
            if (inWord && quote == '\0') words.Add(word.ToString());
            return words;
        }

        static bool IsOperator(char c) => c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')' || c == '`';
    }
}
