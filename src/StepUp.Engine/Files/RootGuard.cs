namespace StepUp.Engine.Files;

/// <summary>
/// Where the paths of one project root really lead once symbolic links are followed, and the two
/// rules that keep StepUp to its promise that nothing outside the root, and no static file, is
/// ever written or deleted: a step may write a path only when its real place is inside the root,
/// outside <c>.stepup/</c> and no static file or folder; StepUp deletes a path only when no folder
/// on its way is a symbolic link. Graph paths are lexical (what the user wrote), so every check
/// compares real places. Each folder is resolved once and remembered: links can change, so a
/// guard serves one operation (a plan, a build, a cleanup).
/// </summary>
public sealed class RootGuard
{
    /// <summary>As many links as Linux follows for one path before it gives up with ELOOP.</summary>
    const int MaxLinkHops = 40;

    readonly string _realRoot;
    /// <summary>Each folder's real place, absolute and as a graph path (equal to the key when no link is on its way).</summary>
    readonly Dictionary<string, (string Full, string GraphPath)> _realFolders = new(StringComparer.Ordinal);

    public RootGuard(string root)
    {
        var full = Path.GetFullPath(root);
        _realRoot = Resolve(Path.GetPathRoot(full)!, full);
    }

    /// <summary>
    /// The real place of a graph path, as a graph path: root-relative when it lies in the root (of
    /// which "." is the root itself), else absolute. A link in the last component is followed only
    /// when <paramref name="followLast"/> is set (a write goes where it points; a delete removes the link).
    /// </summary>
    public string RealPath(string graphPath, bool followLast)
    {
        if (graphPath == ".") return ".";
        if (!PathRules.IsInsideRoot(graphPath)) return Path.IsPathRooted(graphPath) ? PathRules.ToGraphPath(_realRoot, Resolve(Path.GetPathRoot(graphPath)!, graphPath)) : graphPath;
        var slash = graphPath.LastIndexOf('/');
        var lexicalFolder = slash < 0 ? "." : graphPath[..slash];
        var folder = RealFolder(lexicalFolder);
        var name = graphPath[(slash + 1)..];
        if (followLast && Path.Combine(folder.Full, name) is var leaf && LinkTarget(leaf) is { } target)
            return PathRules.ToGraphPath(_realRoot, FollowLink(folder.Full, leaf, target, 0));
        if (folder.GraphPath == lexicalFolder) return graphPath;
        return folder.GraphPath == "." ? name : folder.GraphPath + "/" + name;
    }

    /// <summary>True when deleting <paramref name="graphPath"/> removes that very entry of the root: no folder on its way is a link.</summary>
    public bool MayDelete(string graphPath) =>
        PathRules.IsInsideRoot(graphPath) && !PathRules.IsInStateFolder(graphPath) && RealPath(graphPath, followLast: false) == graphPath;

    /// <summary>True when <paramref name="graphFolder"/> is a real folder of the root, neither a link nor behind one.</summary>
    public bool MayRemoveFolder(string graphFolder) =>
        PathRules.IsInsideRoot(graphFolder) && !PathRules.IsInStateFolder(graphFolder) && RealFolder(graphFolder).GraphPath == graphFolder;

    /// <summary>
    /// Why a step may not have <paramref name="graphPath"/> as output (or volatile output), as an
    /// error at <paramref name="location"/>; null when it may. Lexical checks (outside the root,
    /// inside .stepup/) come first, so that the message names the real cause. With
    /// <paramref name="followLastLink"/> an output that is itself a link is checked where it points
    /// too: one readlink per output, which a step's start affords and a plan of 100,000 steps skips.
    /// </summary>
    public Diagnostic? CheckOutput(string label, string graphPath, StaticPlaces statics, bool followLastLink, SourceLocation location)
    {
        if (CheckOutputPath(label, graphPath, location) is { } lexical) return lexical;
        var real = RealPath(graphPath, followLastLink);
        if (!PathRules.IsInsideRoot(real))
            return Diagnostic.Error(Codes.OutsideRoot,
                $"Step '{label}' has output '{graphPath}', which a symbolic link on its way leads to '{real}', outside the project root; StepUp only writes inside it.", location);
        if (PathRules.IsInStateFolder(real))
            return Diagnostic.Error(Codes.OutsideRoot,
                $"Step '{label}' has output '{graphPath}', which a symbolic link on its way leads into .stepup/, which belongs to StepUp.", location);
        return statics.At(real) switch
        {
            null => null,
            var folder when folder.EndsWith('/') => Diagnostic.Error(Codes.OutputIsStatic,
                $"Step '{label}' declares '{graphPath}' as output, but it lies in the static folder '{folder}'; StepUp never writes into a static folder.", location),
            var file when file == graphPath => Diagnostic.Error(Codes.OutputIsStatic,
                $"Step '{label}' declares '{graphPath}' as output, but it is a static file; StepUp never writes static files.", location),
            var file => Diagnostic.Error(Codes.OutputIsStatic,
                $"Step '{label}' declares '{graphPath}' as output, but through a symbolic link it is the static file '{file}'; StepUp never writes static files.", location),
        };
    }

    /// <summary>The part of <see cref="CheckOutput"/> that needs no disk: the path as written leaves the root or enters .stepup/.</summary>
    public static Diagnostic? CheckOutputPath(string label, string graphPath, SourceLocation location)
    {
        if (!PathRules.IsInsideRoot(graphPath))
            return Diagnostic.Error(Codes.OutsideRoot, $"Step '{label}' has output '{graphPath}' outside the project root; StepUp only writes inside it.", location);
        if (PathRules.IsInStateFolder(graphPath))
            return Diagnostic.Error(Codes.OutsideRoot, $"Step '{label}' has output '{graphPath}' inside .stepup/, which belongs to StepUp.", location);
        return null;
    }

    /// <summary>Why a step may not run in <paramref name="workdir"/>, or null: StepUp creates it when missing.</summary>
    public Diagnostic? CheckWorkdir(string label, string workdir, SourceLocation location)
    {
        if (workdir == "." || !PathRules.IsInsideRoot(workdir)) return null;
        var real = RealFolder(workdir).GraphPath;
        if (real == "." || PathRules.IsInsideRoot(real)) return null;
        return Diagnostic.Error(Codes.OutsideRoot,
            $"Step '{label}' has Workdir '{workdir}', which a symbolic link on its way leads to '{real}', outside the project root.", location);
    }

    (string Full, string GraphPath) RealFolder(string graphFolder)
    {
        if (graphFolder == ".") return (_realRoot, ".");
        if (_realFolders.TryGetValue(graphFolder, out var known)) return known;
        var slash = graphFolder.LastIndexOf('/');
        var parentFolder = slash < 0 ? "." : graphFolder[..slash];
        var parent = RealFolder(parentFolder);
        var here = Path.Combine(parent.Full, graphFolder[(slash + 1)..]);
        var target = LinkTarget(here);
        // No link here and none above: the folder is where it says (the common case, without string work).
        var real = target == null && parent.GraphPath == parentFolder
            ? (here, graphFolder)
            : Place(target == null ? here : FollowLink(parent.Full, here, target, 0));
        _realFolders[graphFolder] = real;
        return real;
    }

    (string Full, string GraphPath) Place(string full) => (full, PathRules.ToGraphPath(_realRoot, full));

    /// <summary><paramref name="name"/> in the real folder <paramref name="folder"/>, resolved when it is a link.</summary>
    static string Follow(string folder, string name, int hops)
    {
        var path = Path.Combine(folder, name);
        var target = LinkTarget(path);
        return target == null ? path : FollowLink(folder, path, target, hops);
    }

    /// <summary>Where the link at <paramref name="path"/> in the real folder <paramref name="folder"/> leads.</summary>
    static string FollowLink(string folder, string path, string target, int hops)
    {
        // A loop of links: the kernel refuses such a path (ELOOP), so any write or delete through it fails.
        if (hops >= MaxLinkHops) return path;
        return Path.IsPathRooted(target) ? Resolve(Path.GetPathRoot(target)!, target, hops + 1) : Resolve(folder, target, hops + 1);
    }

    /// <summary>
    /// The real path of <paramref name="path"/> read from the real folder <paramref name="start"/>,
    /// one component at a time as the kernel does: ".." goes up from where a link led, not from the
    /// link. Components that do not exist are kept as they are.
    /// </summary>
    static string Resolve(string start, string path, int hops = 0)
    {
        var current = start;
        foreach (var part in path[(Path.IsPathRooted(path) ? Path.GetPathRoot(path)!.Length : 0)..].Split('/', '\\'))
        {
            if (part.Length == 0 || part == ".") continue;
            current = part == ".." ? Path.GetDirectoryName(current) ?? current : Follow(current, part, hops);
        }
        return current;
    }

    /// <summary>The target of a symbolic link; null when the path is no link (or does not exist, or cannot be read).</summary>
    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        catch (ArgumentException) { return null; }
    }
}
