using System.Globalization;
using System.Text;

namespace StepUp.Engine.Slurm;

/// <summary>One line of squeue: a job's id, its state and Slurm's reason for it.</summary>
public sealed record SlurmQueueEntry(string JobId, SlurmJobState State, string Reason);

/// <summary>
/// Slurm's commands as StepUp uses them: sbatch (one job, or one array of many), one squeue for
/// every job of this user, and scancel of a set of jobs. Holds no state of its own.
/// </summary>
public sealed class SlurmClient(SlurmCli cli)
{
    /// <summary>Ids per scancel call: well below any command-line length limit.</summary>
    const int CancelBatch = 500;

    public SlurmCli Cli { get; } = cli;

    /// <summary>
    /// Writes the job's scripts into <paramref name="folder"/> and submits it with one sbatch call;
    /// the job id is recorded in the folder too. Bad resources throw <see cref="ArgumentException"/>,
    /// a refusal <see cref="SlurmCommandFailedException"/> with Slurm's message.
    /// </summary>
    public async Task<SlurmJob> SubmitAsync(SlurmJobSpec spec, SlurmJobFolder folder, CancellationToken ct = default)
    {
        var options = spec.Resources.ToSbatchOptions();
        folder.Write(spec);
        var arguments = new List<string>
        {
            "--parsable", "--job-name=" + JobName(spec.Name), "--output=" + folder.SlurmLog, "--chdir=" + folder.Path,
        };
        arguments.AddRange(options);
        arguments.Add(folder.JobScript);
        var id = ParseJobId(await Cli.RunCheckedAsync("sbatch", arguments, ct).ConfigureAwait(false));
        folder.RecordJobId(id);
        return new SlurmJob(id, folder);
    }

    /// <summary>
    /// Submits many jobs that ask the same resources as one job array (one sbatch call): task i runs
    /// the job of <paramref name="tasks"/>[i], each with its own folder as for <see cref="SubmitAsync"/>.
    /// The array's own script and sbatch's early output are in <paramref name="arrayFolder"/>. Slurm
    /// refuses arrays larger than its MaxArraySize (1001 tasks by default).
    /// </summary>
    public async Task<IReadOnlyList<SlurmJob>> SubmitArrayAsync(string name, SlurmResources resources,
        IReadOnlyList<(SlurmJobSpec Spec, SlurmJobFolder Folder)> tasks, string arrayFolder, CancellationToken ct = default)
    {
        if (tasks.Count == 0) return [];
        var options = resources.ToSbatchOptions();
        arrayFolder = Path.GetFullPath(arrayFolder);
        Directory.CreateDirectory(arrayFolder);
        var dispatch = new StringBuilder("#!/bin/sh\n# StepUp's job array: task i runs the job script of folder i.\ncase \"$SLURM_ARRAY_TASK_ID\" in\n");
        for (var i = 0; i < tasks.Count; i++)
        {
            var folder = tasks[i].Folder;
            folder.Write(tasks[i].Spec);
            var quoted = Planning.ShellQuote.Quote(folder.Path);
            dispatch.Append(i).Append(") folder=").Append(quoted).Append(" ;;\n");
        }
        dispatch.Append("*) echo \"no task $SLURM_ARRAY_TASK_ID in this array\" >&2; exit 1 ;;\nesac\n");
        dispatch.Append("exec >\"$folder/slurm.log\" 2>&1\nexec /bin/sh \"$folder/job.sh\"\n");
        var script = Path.Combine(arrayFolder, "array.sh");
        File.WriteAllText(script, dispatch.ToString());
        var arguments = new List<string>
        {
            "--parsable", $"--array=0-{tasks.Count - 1}", "--job-name=" + JobName(name),
            "--output=" + Path.Combine(arrayFolder, "slurm-%a.log"), "--chdir=" + arrayFolder,
        };
        arguments.AddRange(options);
        arguments.Add(script);
        var arrayId = ParseJobId(await Cli.RunCheckedAsync("sbatch", arguments, ct).ConfigureAwait(false));
        var jobs = new SlurmJob[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var id = arrayId + "_" + i.ToString(CultureInfo.InvariantCulture);
            tasks[i].Folder.RecordJobId(id);
            jobs[i] = new SlurmJob(id, tasks[i].Folder);
        }
        return jobs;
    }

    /// <summary>
    /// Every job of this user that Slurm still lists, ended ones included (for MinJobAge after
    /// their end), with array tasks one per line: one squeue call, whatever the number of jobs.
    /// </summary>
    public async Task<IReadOnlyList<SlurmQueueEntry>> QueueAsync(CancellationToken ct = default)
    {
        var output = await Cli.RunCheckedAsync("squeue",
            ["--noheader", "--array", "--states=all", "--user=" + Environment.UserName, "--format=%i|%T|%r"], ct).ConfigureAwait(false);
        var entries = new List<SlurmQueueEntry>();
        foreach (var line in output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|', 3);
            if (fields.Length < 3) continue;
            entries.Add(new SlurmQueueEntry(fields[0], SlurmJobStates.Parse(fields[1]), fields[2]));
        }
        return entries;
    }

    /// <summary>Cancels the jobs (queued or running); ids that already ended are not an error.</summary>
    public async Task CancelAsync(IEnumerable<string> jobIds, CancellationToken ct = default)
    {
        foreach (var batch in jobIds.Distinct().Chunk(CancelBatch))
        {
            var output = await Cli.RunAsync("scancel", batch, ct).ConfigureAwait(false);
            if (output.ExitCode != 0 && !OnlyEndedJobs(output.Stderr)) throw SlurmCli.Refused("scancel", output);
        }
    }

    static bool OnlyEndedJobs(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(line => line.Contains("already completing or completed", StringComparison.OrdinalIgnoreCase)
                || line.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase));

    /// <summary>The id that <c>sbatch --parsable</c> prints: "1234", or "1234;cluster" on a multi-cluster setup.</summary>
    static string ParseJobId(SlurmOutput output)
    {
        var line = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var id = line.Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new SlurmCommandFailedException("sbatch", $"sbatch printed no job id (it printed '{output.Stdout.Trim()}', {output.Stderr.Trim()})",
                output.Stderr.Trim());
        return id;
    }

    static string JobName(string name)
    {
        var oneLine = name.ReplaceLineEndings(" ").Trim();
        return oneLine.Length == 0 ? "stepup" : oneLine;
    }
}
