using StepUp.Engine.Files;

namespace StepUp.Engine.Graph;

/// <summary>
/// Brings the graph up to date with the disk before a build: one stat per known file, a hash only
/// for files whose stat data changed. Static files are confirmed or missing; a built output that
/// changed or vanished makes its producer run again. With a <see cref="FileJournal"/> that can
/// vouch for the rest, only the files that changed since the last refresh are stated.
/// </summary>
public static class FileRefresher
{
    /// <summary>The files a refresh states: those whose content StepUp knows or waits for.</summary>
    internal static bool IsRefreshed(FileNode f) =>
        f.State is FileState.Static or FileState.Missing or FileState.Built or FileState.Outdated or FileState.Undeclared;

    /// <summary>Every file a full refresh states.</summary>
    internal static FileNode[] RefreshedFiles(ProjectGraph graph) => graph.Files.Values.Where(IsRefreshed).ToArray();

    /// <summary>Stats are cheap: only a long list of them is worth a second thread.</summary>
    internal static ParallelOptions StatParallelism(int files) =>
        new() { MaxDegreeOfParallelism = files > 256 ? Environment.ProcessorCount : 1 };

    /// <param name="trustStat">False after an interrupted build: then every file is hashed again.</param>
    /// <param name="folders">Gets the static files that are folders now, which cannot be hashed (they are missing).</param>
    /// <param name="journal">The changes on disk since the last refresh, when the director keeps them.</param>
    /// <returns>How many files changed since the graph last saw them.</returns>
    public static int Refresh(ProjectGraph graph, string root, bool trustStat, List<FileNode>? folders = null, FileJournal? journal = null) =>
        Refresh(graph, root, trustStat, folders, journal, out _);

    /// <param name="stated">Gets how many files were stated: all of them, or those the journal named.</param>
    public static int Refresh(ProjectGraph graph, string root, bool trustStat, List<FileNode>? folders, FileJournal? journal, out int stated)
    {
        var changed = 0;
        var touched = graph.TakeTouched();
        if (journal == null || !trustStat || !journal.TryTake(graph, touched, out var files))
        {
            files = RefreshedFiles(graph);
            // Before the stats: whatever changes after its file's stat raises an event.
            journal?.Arm(files);
        }
        stated = files.Length;
        var stamps = new FileStamp[files.Length];
        var links = journal == null ? null : new bool[files.Length];
        Parallel.For(0, files.Length, StatParallelism(files.Length), i =>
        {
            stamps[i] = FileStamper.Stamp(Planning.PathRules.FullPath(root, files[i].Path), files[i].Stamp, trustStat, out var link);
            if (links != null) links[i] = link;
        });

        for (var i = 0; i < files.Length; i++)
        {
            var file = files[i];
            var now = stamps[i];
            file.EditedSameContent = file.Stamp != null && now.Exists && now.SameContent(file.Stamp) && !now.SameStat(file.Stamp);
            switch (file.State)
            {
                case FileState.Static or FileState.Missing or FileState.Undeclared:
                    var state = file.State == FileState.Undeclared ? FileState.Undeclared : now.Exists ? FileState.Static : FileState.Missing;
                    if (state == FileState.Missing && folders != null && Directory.Exists(Planning.PathRules.FullPath(root, file.Path))) folders.Add(file);
                    var stamp = now.Exists ? now : null;
                    if (state != file.State || !Equals(stamp, file.Stamp))
                    {
                        if (state != file.State || stamp == null || file.Stamp == null || !stamp.SameContent(file.Stamp)) changed++;
                        file.State = state;
                        file.Stamp = stamp;
                        file.Dirty = true;
                    }
                    break;
                case FileState.Built:
                    if (file.Stamp != null && now.Exists && now.SameContent(file.Stamp))
                    {
                        if (!now.SameStat(file.Stamp)) { file.Stamp = now; file.Dirty = true; }
                        break;
                    }
                    // Edited or deleted: the producer runs again; the recorded stamp stays for cleanup.
                    changed++;
                    file.State = FileState.Outdated;
                    file.Vanished = !now.Exists;
                    file.Dirty = true;
                    if (file.Producer != null)
                        file.Producer.RerunReason ??= now.Exists ? $"output '{file.Path}' was edited" : $"output '{file.Path}' is missing";
                    break;
            }
            if (links != null) journal!.Stated(file, links[i]);
        }
        // What this refresh changed, it has seen.
        graph.TakeTouched();
        return changed;
    }
}
