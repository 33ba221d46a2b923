namespace StepUp.Engine.Graph;

/// <summary>
/// What StepUp knows of a file: its SHA-256 and the stat data that lets a later check skip hashing
/// (size, modification and change times, inode, mode). Equality of content is digest and mode.
/// </summary>
public sealed record FileStamp(Digest Digest, long Size, long MtimeNs, long CtimeNs, long Inode, int Mode)
{
    public static readonly FileStamp Missing = new(Digest.None, -1, 0, 0, 0, 0);

    public bool Exists => !Digest.IsEmpty;

    public bool Executable => (Mode & 0b001_001_001) != 0;

    /// <summary>Same stat data: the file was not touched since the stamp was taken.</summary>
    public bool SameStat(FileStamp other) =>
        Size == other.Size && MtimeNs == other.MtimeNs && CtimeNs == other.CtimeNs && Inode == other.Inode && Mode == other.Mode;

    /// <summary>Same content and executable bit.</summary>
    public bool SameContent(FileStamp other) => Digest == other.Digest && Executable == other.Executable;
}
