using System.ComponentModel;
using System.Diagnostics;

namespace StepUp.Engine.Slurm;

/// <summary>What one Slurm command printed and how it ended.</summary>
public sealed record SlurmOutput(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs Slurm's command-line tools (sbatch, squeue, scancel). Every call has a time limit, after
/// which the command is killed: a controller that does not answer, or an sbatch that keeps retrying
/// against a full queue, becomes an error instead of a hang.
/// </summary>
public sealed class SlurmCli
{
    readonly string? _binFolder;
    readonly IReadOnlyDictionary<string, string> _environment;

    /// <param name="timeout">How long one command may take.</param>
    /// <param name="binFolder">Where the tools are; null looks them up on PATH.</param>
    /// <param name="environment">Variables set for the tools on top of this process's own (e.g. SLURM_CONF).</param>
    public SlurmCli(TimeSpan timeout, string? binFolder = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Timeout = timeout;
        _binFolder = binFolder;
        _environment = environment ?? new Dictionary<string, string>();
    }

    public TimeSpan Timeout { get; }

    /// <summary>Runs <paramref name="tool"/>; any exit code is returned, a missing tool or a time-out throws.</summary>
    public async Task<SlurmOutput> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct = default)
    {
        var info = new ProcessStartInfo(_binFolder is null ? tool : Path.Combine(_binFolder, tool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in _environment) info.Environment[name] = value;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("the process did not start");
        }
        catch (Win32Exception e)
        {
            var where = _binFolder is null ? "on PATH" : "in " + _binFolder;
            throw new SlurmToolMissingException(tool,
                $"{tool} could not be run ({e.Message}): Slurm's client commands must be installed {where} on the machine " +
                "that runs the director (a cluster's login node)");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                var said = await Drain(stderr).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                var last = said.Trim().Split('\n').LastOrDefault()?.Trim();
                throw new SlurmTimeoutException(tool,
                    $"{tool} did not answer within {Timeout.TotalSeconds:0} s and was stopped" +
                    (string.IsNullOrEmpty(last) ? "" : $" (it said: {last})"));
            }
            return new SlurmOutput(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    /// <summary>Like <see cref="RunAsync"/>, and a non-zero exit throws with the command's message.</summary>
    public async Task<SlurmOutput> RunCheckedAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct = default)
    {
        var output = await RunAsync(tool, arguments, ct).ConfigureAwait(false);
        if (output.ExitCode != 0) throw Refused(tool, output);
        return output;
    }

    /// <summary>The error for a command that exited non-zero, with Slurm's own words.</summary>
    public static SlurmCommandFailedException Refused(string tool, SlurmOutput output)
    {
        var said = SlurmMessage(output);
        return new SlurmCommandFailedException(tool, $"{tool} failed (exit code {output.ExitCode}): {said}", said);
    }

    /// <summary>Slurm's message: its error lines without the repeated "tool: error:" prefixes.</summary>
    static string SlurmMessage(SlurmOutput output)
    {
        var text = string.IsNullOrWhiteSpace(output.Stderr) ? output.Stdout : output.Stderr;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Contains(": error: ", StringComparison.Ordinal) ? line[(line.IndexOf(": error: ", StringComparison.Ordinal) + 9)..] : line);
        var message = string.Join("; ", lines);
        return message.Length == 0 ? "no message" : message;
    }

    static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }

    static async Task<string> Drain(Task<string> reading)
    {
        // Output of a killed command ends when its pipe closes; do not wait long for a stray child holding it.
        var finished = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        return finished == reading ? await reading.ConfigureAwait(false) : "";
    }
}
