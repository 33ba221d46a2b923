using StepUp.Engine.Slurm;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Slurm;

/// <summary>Slurm's commands missing or not answering: errors, never a hang. No cluster needed.</summary>
[TestClass]
public sealed class SlurmCliTests
{
    [TestMethod]
    public async Task A_missing_sbatch_is_an_error_that_says_where_it_was_looked_for()
    {
        using var empty = new TempFolder();
        var client = new SlurmClient(new SlurmCli(TimeSpan.FromSeconds(30), binFolder: empty.Path));
        var spec = new SlurmJobSpec("step", "true", empty.Path, new Dictionary<string, string>(), new SlurmResources());

        var error = await Assert.ThrowsExactlyAsync<SlurmToolMissingException>(() =>
            client.SubmitAsync(spec, new SlurmJobFolder(Path.Combine(empty.Path, "job"))));

        Assert.AreEqual("sbatch", error.Tool);
        StringAssert.Contains(error.Message, "sbatch could not be run");
        StringAssert.Contains(error.Message, "in " + empty.Path);
    }

    [TestMethod]
    public async Task A_command_that_does_not_answer_is_stopped_at_its_time_limit_with_what_it_said()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("Uses a shell script as a stand-in for squeue.");
        using var bin = new TempFolder();
        var pids = Path.Combine(bin.Path, "pids");
        // Stands for an squeue whose controller does not answer (with a child of its own, as a retry loop may have).
        StandIn(bin.Path, "squeue", $"echo 'squeue: error: slurm_receive_msg: Socket timed out' >&2\nsleep 300 &\necho $$ $! > '{pids}'\nwait");
        var client = new SlurmClient(new SlurmCli(TimeSpan.FromSeconds(5), binFolder: bin.Path));

        var error = await Assert.ThrowsExactlyAsync<SlurmTimeoutException>(() => client.QueueAsync());

        Assert.AreEqual("squeue", error.Tool);
        StringAssert.Contains(error.Message, "did not answer within 5 s");
        StringAssert.Contains(error.Message, "Socket timed out");
        foreach (var pid in File.ReadAllText(pids).Split(' ', StringSplitOptions.TrimEntries))
            Assert.IsFalse(Alive(int.Parse(pid)), $"process {pid} of the command was killed");
    }

    /// <summary>Whether a process runs (a zombie, killed but not yet reaped by its new parent, does not).</summary>
    static bool Alive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim()[0] != 'Z'; }
        catch (IOException) { return false; }
    }

    [TestMethod]
    public async Task A_failing_squeue_is_an_error_with_its_message_not_an_empty_queue()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("Uses a shell script as a stand-in for squeue.");
        using var bin = new TempFolder();
        StandIn(bin.Path, "squeue", "echo 'squeue: error: Unable to contact slurm controller (connect failure)' >&2\nexit 1");
        var client = new SlurmClient(new SlurmCli(TimeSpan.FromSeconds(30), binFolder: bin.Path));
        var tracker = new SlurmJobTracker(client, TimeSpan.Zero);
        using var folder = new TempFolder();
        tracker.Track(new SlurmJob("12", new SlurmJobFolder(folder.Path)));

        var error = await Assert.ThrowsExactlyAsync<SlurmCommandFailedException>(() => tracker.PollAsync());

        Assert.AreEqual("Unable to contact slurm controller (connect failure)", error.SlurmMessage);
        Assert.AreEqual(1, tracker.Count, "the job is still tracked, not taken as gone");
    }

    /// <summary>An executable shell script named like a Slurm command.</summary>
    static void StandIn(string folder, string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
