using System.Buffers.Binary;

namespace StepUp.Engine.Graph;

/// <summary>
/// A content digest or step hash. A SHA-256, which is what StepUp makes, is kept as its 32 bytes in
/// the value itself rather than as 64 characters of text (a graph holds two per step); any other text
/// (an old or hand-made graph) is kept as it was given. The text form is lower-case hex.
/// </summary>
public readonly struct Digest : IEquatable<Digest>
{
    public const int Sha256Bytes = 32;

    // Marks the four words as the digest; any other _text (null: empty) is the digest itself.
    static readonly string Packed = new('\u0001', 1);

    readonly ulong _a, _b, _c, _d;
    readonly string? _text;

    Digest(ReadOnlySpan<byte> sha256)
    {
        _a = BinaryPrimitives.ReadUInt64BigEndian(sha256);
        _b = BinaryPrimitives.ReadUInt64BigEndian(sha256[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(sha256[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(sha256[24..]);
        _text = Packed;
    }

    Digest(string text)
    {
        _a = _b = _c = _d = 0;
        _text = text.Length == 0 ? null : ReferenceEquals(text, Packed) ? new string(text) : text;
    }

    /// <summary>No digest: a missing file.</summary>
    public static readonly Digest None = default;

    public static Digest FromSha256(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Sha256Bytes ? new Digest(bytes) : new Digest(Convert.ToHexStringLower(bytes));

    /// <summary>A digest from its text; 64 lower-case hex digits are packed.</summary>
    public static Digest FromText(string text)
    {
        if (text.Length != 2 * Sha256Bytes || !IsLowerHex(text)) return new Digest(text);
        Span<byte> bytes = stackalloc byte[Sha256Bytes];
        Convert.FromHexString(text, bytes, out _, out _);
        return new Digest(bytes);
    }

    public bool IsEmpty => _text == null;

    /// <summary>True for a SHA-256 kept as bytes (see <see cref="WriteSha256"/>).</summary>
    public bool IsSha256 => ReferenceEquals(_text, Packed);

    public void WriteSha256(Span<byte> into)
    {
        if (!IsSha256) throw new InvalidOperationException("The digest is text, not a SHA-256.");
        BinaryPrimitives.WriteUInt64BigEndian(into, _a);
        BinaryPrimitives.WriteUInt64BigEndian(into[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(into[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(into[24..], _d);
    }

    public override string ToString()
    {
        if (!IsSha256) return _text ?? "";
        Span<byte> bytes = stackalloc byte[Sha256Bytes];
        WriteSha256(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(Digest other) =>
        IsSha256
            ? other.IsSha256 && _a == other._a && _b == other._b && _c == other._c && _d == other._d
            : !other.IsSha256 && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Digest other && Equals(other);

    public override int GetHashCode() => IsSha256 ? HashCode.Combine(_a, _b, _c, _d) : (_text ?? "").GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(Digest left, Digest right) => left.Equals(right);
    public static bool operator !=(Digest left, Digest right) => !left.Equals(right);

    static bool IsLowerHex(string value)
    {
        foreach (var c in value)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        return true;
    }
}
