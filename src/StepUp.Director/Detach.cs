using System.Runtime.InteropServices;

namespace StepUp.Director;

/// <summary>Leaves the terminal's session so that Ctrl-C on a build does not kill the director.</summary>
static class Detach
{
    [DllImport("libc", EntryPoint = "setsid")]
    static extern int setsid();

    public static void FromTerminal()
    {
        if (OperatingSystem.IsWindows()) return;
        try { setsid(); } catch (EntryPointNotFoundException) { } catch (DllNotFoundException) { }
    }
}
