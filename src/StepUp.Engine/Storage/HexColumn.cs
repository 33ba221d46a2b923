using StepUp.Engine.Graph;

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

    /// <summary>A SHA-256 goes in as its bytes, any other digest as <see cref="Bind(RawStatement, int, string?)"/> puts its text.</summary>
    public static void Bind(RawStatement statement, int index, Digest? digest)
    {
        if (digest is not { IsSha256: true } sha256)
        {
            Bind(statement, index, digest?.ToString());
            return;
        }
        Span<byte> bytes = stackalloc byte[Digest.Sha256Bytes];
        sha256.WriteSha256(bytes);
        statement.Bind(index, bytes);
    }

    /// <summary>What <see cref="Bind(RawStatement, int, Digest?)"/> wrote; null for NULL.</summary>
    public static Digest? ReadDigest(RawStatement statement, int column)
    {
        if (statement.IsNull(column)) return null;
        if (statement.IsBlob(column))
        {
            var blob = statement.GetBlob(column);
            return blob.Length == Digest.Sha256Bytes ? Digest.FromSha256(blob) : Digest.FromText(Convert.ToHexStringLower(blob));
        }
        return Digest.FromText(statement.GetString(column));
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
