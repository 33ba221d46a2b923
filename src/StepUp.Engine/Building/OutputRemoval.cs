using StepUp.Engine.Files;

namespace StepUp.Engine.Building;

/// <summary>What may happen to an earlier output that StepUp is about to delete, overwrite or move to the attic.</summary>
public enum Removal
{
    /// <summary>Static, undeclared, never written by a step, or outside the root: the user's, left alone.</summary>
    NotStepUps,
    /// <summary>It is not on disk (any more).</summary>
    Gone,
    /// <summary>A folder on its way is a symbolic link: removing it could reach outside the root.</summary>
    BehindLink,
    /// <summary>Its content is no longer what the step wrote: someone edited it.</summary>
    Edited,
    /// <summary>StepUp wrote it and it is unchanged since: StepUp may delete it or move it away.</summary>
    Allowed,
}

/// <summary>
/// The one rule for removing an output, shared by cleanup and the attic: only a file a step wrote
/// (<see cref="FileNode.Written"/>), inside the root and outside <c>.stepup/</c>, reached through real
/// folders only (<see cref="RootGuard.MayDelete"/>), and, unless it is volatile, still with the
/// content recorded when it was built.
/// </summary>
public static class OutputRemoval
{
    /// <param name="sameStat">
    /// Ask for the very file recorded (same stat data), not only the same content: for a step that
    /// already runs, which may have rewritten the file with the same bytes.
    /// </param>
    public static Removal Check(FileNode file, string root, RootGuard guard, bool sameStat = false)
    {
        if (!file.Written || !PathRules.IsInsideRoot(file.Path) || PathRules.IsInStateFolder(file.Path)) return Removal.NotStepUps;
        var checkContent = file.State is FileState.Built or FileState.Outdated or FileState.Awaited && file.Stamp is { Exists: true };
        if (file.State != FileState.Volatile && !checkContent) return Removal.NotStepUps;
        if (sameStat && !checkContent) return Removal.NotStepUps;
        if (!guard.MayDelete(file.Path)) return Removal.BehindLink;
        var full = PathRules.FullPath(root, file.Path);
        if (!checkContent) return File.Exists(full) ? Removal.Allowed : Removal.Gone;
        var recorded = file.Stamp!;
        if (sameStat)
        {
            if (!FileStamper.TryStat(full, out var stat)) return Removal.Gone;
            return stat.SameStat(recorded) ? Removal.Allowed : Removal.Edited;
        }
        var now = FileStamper.Stamp(full, recorded);
        if (!now.Exists) return Removal.Gone;
        return now.SameContent(recorded) ? Removal.Allowed : Removal.Edited;
    }
}
