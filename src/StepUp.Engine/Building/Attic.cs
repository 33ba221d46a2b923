using System.Globalization;
using StepUp.Engine.Files;
using StepUp.Engine.Storage;

namespace StepUp.Engine.Building;

/// <summary>
/// ducttape's attic (reference §9.6, <c>StepUpAttic=true</c>): where StepUp would delete or
/// overwrite an earlier output, it moves the file to <c>.stepup/attic/&lt;N&gt;/&lt;path&gt;</c> first,
/// N being the build that wrote it (<see cref="FileNode.Build"/>). StepUp never deletes anything in
/// the attic. Which files may move is the rule of <see cref="OutputRemoval"/>, as for deleting.
/// </summary>
public sealed class Attic
{
    public const string FolderName = "attic";

    readonly string _root;
    readonly RootGuard _guard;

    public Attic(string root)
    {
        _root = Path.GetFullPath(root);
        _guard = new RootGuard(_root);
    }

    /// <summary>The attic's folder as a graph path.</summary>
    public static string GraphFolder => GraphStore.FolderName + "/" + FolderName;

    /// <summary>
    /// Moves <paramref name="file"/> (on disk, allowed by <see cref="OutputRemoval"/>) into the attic
    /// and returns the graph path it now has. Throws an <see cref="IOException"/> or an
    /// <see cref="UnauthorizedAccessException"/> when it cannot; the file is then where it was.
    /// </summary>
    public string Store(FileNode file)
    {
        var place = GraphFolder + "/" + file.Build.ToString(CultureInfo.InvariantCulture) + "/" + file.Path;
        // A link on the way into the attic could lead outside the root: nothing moves through one.
        if (_guard.RealPath(place, followLast: false) != place)
            throw new IOException($"a folder on the way to {place} is a symbolic link, and StepUp moves nothing through one");
        var full = PathRules.FullPath(_root, place);
        // A number can come back after the graph was started anew: both versions are kept.
        for (var i = 1; Path.Exists(full); i++)
            full = PathRules.FullPath(_root, place + "~" + i.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.Move(PathRules.FullPath(_root, file.Path), full, overwrite: false);
        return PathRules.ToGraphPath(_root, full);
    }

    /// <summary>The highest build number the attic of <paramref name="root"/> holds; 0 when it has none.</summary>
    public static long LatestBuild(string root)
    {
        var folder = PathRules.FullPath(Path.GetFullPath(root), GraphFolder);
        long latest = 0;
        try
        {
            if (!Directory.Exists(folder)) return 0;
            foreach (var entry in Directory.EnumerateDirectories(folder))
                if (long.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > latest) latest = n;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return latest;
    }
}
