using System.Text;
using System.Text.RegularExpressions;

namespace StepUp.Engine.Slurm;

/// <summary>What a job left in its folder: whether it started, its exit code, and whether Slurm signalled it.</summary>
/// <param name="ExitCode">The command's exit code, or null when the job ended without writing one (killed, or never started).</param>
/// <param name="Signal">"TERM" when Slurm asked the job to stop (time limit, scancel, preemption), else null.</param>
public sealed record SlurmJobFiles(bool Started, int? ExitCode, string? Signal);

/// <summary>
/// The folder of one job on the shared filesystem: the scripts the job runs and the files it leaves
/// for the director. <c>step.sh</c> is the step itself (workdir, variables, command) exactly as it
/// would run locally; <c>job.sh</c> is Slurm's batch script around it, which writes <c>started</c>
/// when the job starts, the step's <c>stdout</c> and <c>stderr</c>, and <c>exitcode</c> (atomically,
/// by rename) when the step ends. A job that Slurm stops with SIGTERM still writes its exit code and
/// a <c>signal</c> file; one killed outright leaves no exit code, and Slurm's state tells why.
/// Sbatch's own output (errors before the step could start) goes to <c>slurm.log</c>.
/// </summary>
public sealed class SlurmJobFolder
{
    const int MaxRead = 1 << 20;
    static readonly Regex VariableName = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    public SlurmJobFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string JobScript => Combine("job.sh");
    public string StepScript => Combine("step.sh");
    public string Stdout => Combine("stdout");
    public string Stderr => Combine("stderr");
    public string ExitCode => Combine("exitcode");
    public string Started => Combine("started");
    public string Signal => Combine("signal");
    public string SlurmLog => Combine("slurm.log");
    public string JobIdFile => Combine("jobid");

    string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes the job's scripts, removing what an earlier job in this folder left, so that the files
    /// read later can only be this job's.
    /// </summary>
    public void Write(SlurmJobSpec spec)
    {
        Directory.CreateDirectory(Path);
        foreach (var stale in new[] { ExitCode, Started, Signal, Stdout, Stderr, SlurmLog, JobIdFile, ExitCode + ".tmp" })
            File.Delete(stale);
        var step = new StringBuilder();
        step.Append("cd -- ").Append(ShellQuote.Quote(spec.Workdir)).Append(" || exit 1\n");
        foreach (var (name, value) in spec.Environment)
        {
            if (!VariableName.IsMatch(name)) throw new ArgumentException($"'{name}' is not an environment variable name");
            step.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }
        step.Append(spec.Command).Append('\n');
        File.WriteAllText(StepScript, step.ToString());
        File.WriteAllText(JobScript, JobScriptText(spec.Name));
    }

    string JobScriptText(string name)
    {
        var folder = ShellQuote.Quote(Path);
        // The step runs in the background so that the TERM trap runs at once (a shell defers traps
        // while it waits for a foreground child); then the script waits on until the step has ended.
        return $$"""
            #!/bin/sh
            # StepUp's job for {{name.ReplaceLineEndings(" ")}}: runs step.sh and leaves its results beside it.
            folder={{folder}}
            rm -f "$folder/exitcode" "$folder/signal"
            echo "${SLURM_JOB_ID:-} $(hostname) $(date +%s)" >"$folder/started"
            trap 'echo TERM >"$folder/signal"' TERM
            /bin/sh "$folder/step.sh" >"$folder/stdout" 2>"$folder/stderr" </dev/null &
            step=$!
            wait "$step"
            code=$?
            while kill -0 "$step" 2>/dev/null; do
              wait "$step"
              code=$?
            done
            echo "$code" >"$folder/exitcode.tmp" && mv -f "$folder/exitcode.tmp" "$folder/exitcode"
            exit "$code"

            """;
    }

    /// <summary>Keeps the job id beside the job's files, so that the folder alone tells which job it was.</summary>
    public void RecordJobId(string jobId) => File.WriteAllText(JobIdFile, jobId + "\n");

    /// <summary>The job id recorded by <see cref="RecordJobId"/>, or null.</summary>
    public string? ReadJobId()
    {
        var text = TryRead(JobIdFile)?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>What the job left so far; reading never fails (a missing file means "not yet").</summary>
    public SlurmJobFiles ReadFiles()
    {
        var exit = TryRead(ExitCode)?.Trim();
        int? code = int.TryParse(exit, out var value) ? value : null;
        var signal = TryRead(Signal)?.Trim();
        return new SlurmJobFiles(File.Exists(Started), code, string.IsNullOrEmpty(signal) ? null : signal);
    }

    /// <summary>A result file's text, at most 1 MiB of it, or "" when it does not exist.</summary>
    public static string ReadText(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = (int)Math.Min(stream.Length, MaxRead);
            var buffer = new byte[length];
            stream.ReadExactly(buffer, 0, length);
            var text = Encoding.UTF8.GetString(buffer);
            return stream.Length > MaxRead ? text + $"\n[output truncated at {MaxRead} bytes]\n" : text;
        }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }

    static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }
}
