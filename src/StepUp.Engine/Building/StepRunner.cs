using System.Diagnostics;
using System.Text;

namespace StepUp.Engine.Building;

/// <summary>The result of running one command.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr, bool Cancelled, string? StartError);

/// <summary>Runs a step's command with /bin/sh -c in its workdir, capturing what it prints.</summary>
public static class StepRunner
{
    const int MaxCaptured = 1 << 20;

    public static async Task<RunResult> RunAsync(string command, string workdir, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = workdir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        // Steps see the environment of the build that asked for them, not the director's.
        psi.Environment.Clear();
        foreach (var (name, value) in env) psi.Environment[name] = value;

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new RunResult(-1, "", "", false, e.Message);
        }
        process.StandardInput.Close();
        var stdout = ReadCapped(process.StandardOutput);
        var stderr = ReadCapped(process.StandardError);
        var cancelled = false;
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            cancelled = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return new RunResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), cancelled, null);
    }

    static async Task<string> ReadCapped(StreamReader reader)
    {
        var sb = new StringBuilder();
        var buffer = new char[8192];
        int n;
        var truncated = false;
        while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (sb.Length + n <= MaxCaptured) sb.Append(buffer, 0, n);
            else truncated = true;
        }
        if (truncated) sb.Append($"\n[output truncated at {MaxCaptured} characters]\n");
        return sb.ToString();
    }
}
