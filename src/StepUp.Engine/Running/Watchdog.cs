using System.ComponentModel;
using System.Diagnostics;

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
    static Process? _process;

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
                if (_process == null)
                {
                    _process = Start();
                    foreach (var group in Watched) _process.StandardInput.Write("watch " + group + "\n");
                }
                else
                {
                    _process.StandardInput.Write(line + "\n");
                }
                _process.StandardInput.Flush();
                return;
            }
            catch (IOException) when (attempt == 0)
            {
                _process?.Dispose();
                _process = null;
            }
        }
    }

    static Process Start()
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("stepup-watchdog");
        psi.ArgumentList.Add(ScratchFolder.Parent);
        try
        {
            return Process.Start(psi) ?? throw new IOException("could not start the watchdog shell");
        }
        catch (Win32Exception e)
        {
            throw new IOException("could not start the watchdog shell: " + e.Message, e);
        }
    }
}
