using System.Diagnostics;

namespace StepUp.Tests.Unit;

/// <summary>
/// A small tmpfs mounted over a folder, so that a test can make a real read-only or full file
/// system (the tests run as root, which file modes do not stop). Needs mount(8) and the right to
/// mount: without either the test is inconclusive, never silently passed.
/// </summary>
sealed class ScratchMount : IDisposable
{
    public ScratchMount(string folder, string options)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("A scratch tmpfs needs Linux.");
        var (code, output) = Mount("-t", "tmpfs", "-o", options, "tmpfs", folder);
        if (code != 0) Assert.Inconclusive($"Cannot mount a tmpfs here (mount -t tmpfs -o {options}): {output.Trim()}");
    }

    public string Folder { get; }

    /// <summary>Makes the file system read-only from now on.</summary>
    public void MakeReadOnly()
    {
        // A file written for writing (the report, written after the build's answer) makes the remount
        // "busy" until it is closed: try again a few times before failing.
        var (code, output) = Mount("-o", "remount,ro", Folder);
        for (var attempt = 0; code == 32 && attempt < 20; attempt++)
        {
            Thread.Sleep(250);
            (code, output) = Mount("-o", "remount,ro", Folder);
        }
        Assert.AreEqual(0, code, "mount -o remount,ro failed: " + output);
    }

    /// <summary>Uses up every free inode by creating empty files in a folder of its own.</summary>
    public void UseUpInodes()
    {
        var filler = Path.Combine(Folder, "filler");
        Directory.CreateDirectory(filler);
        for (var i = 0; ; i++)
        {
            try { File.Create(Path.Combine(filler, i.ToString())).Dispose(); }
            catch (IOException) { return; }
            if (i > 100_000) Assert.Fail("The tmpfs did not run out of inodes: mount it with a small nr_inodes.");
        }
    }

    static (int Code, string Output) Mount(params string[] args)
    {
        var psi = new ProcessStartInfo("mount") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    public void Dispose()
    {
        var psi = new ProcessStartInfo("umount") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-l");
        psi.ArgumentList.Add(Folder);
        using var process = Process.Start(psi)!;
        process.WaitForExit();
    }
}
