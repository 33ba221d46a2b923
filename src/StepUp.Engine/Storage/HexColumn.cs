namespace StepUp.Engine.Storage;

/// <summary>
/// Stores a digest or hash string in half the space: lower-case hex text of even length goes into a
/// BLOB of its bytes, anything else stays TEXT. SQLite keeps the type per value, so reading gives back
/// exactly the string that was written.
/// </summary>
static class HexColumn
{
    public static void Bind(RawStatement statement, int index, string? value)
    {
        if (value == null || !IsLowerHex(value))
        {
            statement.Bind(index, value);
            return;
        }
        Span<byte> bytes = value.Length <= 256 ? stackalloc byte[value.Length / 2] : new byte[value.Length / 2];
        Convert.FromHexString(value, bytes, out _, out _);
        statement.Bind(index, bytes);
    }

    public static string? Read(RawStatement statement, int column)
    {
        if (statement.IsNull(column)) return null;
        return statement.IsBlob(column) ? Convert.ToHexStringLower(statement.GetBlob(column)) : statement.GetString(column);
    }

    /// <summary>Non-empty, even length, only 0-9 and a-f: round-trips through bytes.</summary>
    static bool IsLowerHex(string value)
    {
        if (value.Length == 0 || value.Length % 2 != 0) return false;
        foreach (var c in value)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        return true;
    }
}
