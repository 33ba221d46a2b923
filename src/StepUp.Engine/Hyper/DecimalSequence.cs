using System.Globalization;

namespace StepUp.Engine.Hyper;

/// <summary>
/// A sequence branch point <c>start..end[..step]</c>: start, start+step, ... up to and including end,
/// in exact decimal arithmetic. Each branch is named by its number as decimal text, keeping the
/// scale the arithmetic gives (<c>0.1..0.5..0.2</c> is 0.1, 0.3, 0.5), as ducttape's BigDecimal does.
/// </summary>
public static class DecimalSequence
{
    public const int MaxBranches = 100_000;

    /// <summary>The text matches start..end[..step] with decimal numbers.</summary>
    public static bool Looks(string text)
    {
        var parts = text.Split("..");
        return parts.Length is 2 or 3 && parts.All(IsNumber);
    }

    static bool IsNumber(string part)
    {
        if (part.Length == 0) return false;
        var i = part[0] == '-' ? 1 : 0;
        var digits = 0;
        var dot = false;
        for (; i < part.Length; i++)
        {
            if (char.IsAsciiDigit(part[i])) digits++;
            else if (part[i] == '.' && !dot && digits > 0) dot = true;
            else return false;
        }
        return digits > 0 && part[^1] != '.';
    }

    /// <summary>The branch names; throws <see cref="HyperSyntaxException"/> for an invalid sequence.</summary>
    public static List<string> Expand(string text, int offset)
    {
        var parts = text.Split("..");
        decimal start, end, step = 1;
        try
        {
            start = decimal.Parse(parts[0], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            end = decimal.Parse(parts[1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (parts.Length == 3)
                step = decimal.Parse(parts[2], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw new HyperSyntaxException(Codes.BadSequence, offset, $"The sequence '{text}' has a number too large for exact decimal arithmetic.");
        }
        if (step <= 0)
            throw new HyperSyntaxException(Codes.BadSequence, offset, $"The sequence '{text}' has step {parts[2]}; the step must be greater than 0.");
        if (end < start)
            throw new HyperSyntaxException(Codes.BadSequence, offset, $"The sequence '{text}' ends before it starts.");
        var count = decimal.Floor((end - start) / step) + 1;
        if (count > MaxBranches)
            throw new HyperSyntaxException(Codes.BadSequence, offset, $"The sequence '{text}' has {count} branches; at most {MaxBranches} are allowed.");
        var names = new List<string>((int)count);
        // The first number is the start as written; the others are what exact addition gives.
        names.Add(parts[0]);
        var value = start;
        for (var i = 1; i < count; i++)
        {
            value += step;
            names.Add(value.ToString(CultureInfo.InvariantCulture));
        }
        return names;
    }
}
