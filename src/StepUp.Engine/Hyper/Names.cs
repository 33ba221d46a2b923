namespace StepUp.Engine.Hyper;

/// <summary>The lexical rules for names in the value language.</summary>
public static class Names
{
    /// <summary>Entry, global and branch point names: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    public static bool IsName(string text)
    {
        if (text.Length == 0 || !IsNameStart(text[0])) return false;
        foreach (var c in text) if (!IsNameChar(c)) return false;
        return true;
    }

    /// <summary>Branch names: <c>[A-Za-z0-9_.-]+</c> (they may start with a digit: <c>1M</c>, <c>0.75</c>).</summary>
    public static bool IsBranchName(string text)
    {
        if (text.Length == 0) return false;
        foreach (var c in text) if (!IsBranchChar(c)) return false;
        return true;
    }

    /// <summary>Names of steps that have realizations, which become folders: <c>[A-Za-z0-9_][A-Za-z0-9_.-]*</c>.</summary>
    public static bool IsStepName(string text) =>
        text.Length > 0 && (char.IsAsciiLetterOrDigit(text[0]) || text[0] == '_') && IsBranchName(text);

    public static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    public static bool IsBranchChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
