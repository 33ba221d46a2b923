using System.Text;
using Microsoft.Win32.SafeHandles;

namespace StepUp.Engine.Running;

/// <summary>
/// One small /bin/sh process per director that outlives it: it reads a pipe from the director and,
/// when the pipe closes because the director ended (even by SIGKILL), kills the process groups of
/// the director's job slots, and with them their steps, and removes the director's scratch folders.
/// It lives in the director's process group, so a kill of that whole group takes it too; then the
/// ledger of each project leads the next director to the steps (<see cref="GroupLedger"/>).
/// </summary>
static class Watchdog
{
    // $1 is the scratch folders' parent. A group whose leader's pid now names another process is left alone.
    const string Script = """
        exec >/dev/null 2>&1
        trap '' INT HUP TERM
        director=$PPID
        scratch=$1
        groups=
        while read -r op group; do
          case $op in
            watch) groups="$groups $group" ;;
            forget) kept=; for g in $groups; do [ "$g" = "$group" ] || kept="$kept $g"; done; groups=$kept ;;
          esac
        done
        for g in $groups; do
          id=${g%%:*}
          if [ -r "/proc/$id/stat" ]; then
            read -r stat < "/proc/$id/stat"
            set -- ${stat##*) }
            shift 19
            [ "$1" = "${g#*:}" ] || continue
          fi
          kill -KILL -- "-$id"
        done
        rm -rf -- "$scratch"/stepup-"$director"-*
        """;

    static readonly Lock Gate = new();
    static readonly HashSet<ProcessGroup> Watched = new();
    static FileStream? _pipe;

    public static void Watch(ProcessGroup group)
    {
        lock (Gate)
        {
            Watched.Add(group);
            Send("watch " + group);
        }
    }

    public static void Forget(ProcessGroup group)
    {
        lock (Gate)
        {
            if (Watched.Remove(group)) Send("forget " + group);
        }
    }

    /// <summary>Sends one line; a watchdog that died (someone killed it) is replaced and told every group again.</summary>
    static void Send(string line)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (_pipe == null)
                {
                    _pipe = Start();
                    var all = new StringBuilder();
                    foreach (var group in Watched) all.Append("watch ").Append(group).Append('\n');
                    Write(_pipe, all.ToString());
                }
                else
                {
                    Write(_pipe, line + "\n");
                }
                return;
            }
            catch (IOException) when (attempt == 0)
            {
                _pipe?.Dispose();
                _pipe = null;
            }
        }
    }

    static void Write(FileStream pipe, string text)
    {
        if (text.Length == 0) return;
        pipe.Write(Encoding.UTF8.GetBytes(text));
        pipe.Flush();
    }

    /// <summary>
    /// Started by <see cref="Spawn"/>, not by the Process class: once the runtime watches children of
    /// its own, every step's end runs its SIGCHLD handler, which scans for exited children.
    /// </summary>
    static FileStream Start()
    {
        var (read, write) = Spawn.Pipe();
        int pid;
        try
        {
            using var environment = new Spawn.NativeBlock(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(entry => entry.Key + "=" + entry.Value).ToList());
            pid = Spawn.Start("/bin/sh", ["sh", "-c", Script, "stepup-watchdog", ScratchFolder.Parent], environment, Spawn.DirectorGroup,
                Spawn.Stream.Descriptor(read), Spawn.Stream.ToFile("/dev/null"), Spawn.Stream.ToFile("/dev/null"));
        }
        catch
        {
            Spawn.Close(write);
            throw;
        }
        finally
        {
            Spawn.Close(read);
        }
        // Reaped when it ends, so that a killed watchdog leaves no zombie; the next line to it fails and starts another.
        ChildReaper.Watch(pid, _ => { });
        return new FileStream(new SafeFileHandle(write, ownsHandle: true), FileAccess.Write, 1);
    }
}
