using StepUp.Engine.Slurm;

namespace StepUp.Tests.Slurm;

/// <summary>The Slurm client library against the real local cluster (tests/slurm/start-cluster.sh).</summary>
[TestClass]
public sealed class SlurmClientTests
{
    static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    [TestInitialize]
    public void RequireCluster() => SlurmCluster.Require();

    static SlurmJobSpec Spec(string name, string command, string workdir, IReadOnlyDictionary<string, string>? variables = null,
        SlurmResources? resources = null) =>
        new(name, command, workdir, variables ?? NoVariables, resources ?? new SlurmResources());

    /// <summary>Options that keep a job queued (it may start only in ten minutes) without holding it.</summary>
    static SlurmResources Queued(SlurmResources? resources = null) =>
        (resources ?? new SlurmResources()) with { Options = ["--begin=now+600"] };

    [TestMethod]
    public async Task A_job_runs_in_its_workdir_with_its_variables_and_leaves_its_output_for_the_director()
    {
        var root = SlurmCluster.NewFolder("run");
        var workdir = Directory.CreateDirectory(Path.Combine(root, "work dir")).FullName;
        var client = SlurmCluster.Client();
        var job = await client.SubmitAsync(
            Spec("greet", "pwd; echo \"hello $GREETING\"; echo 'a warning' >&2; echo made > made.txt", workdir,
                new Dictionary<string, string> { ["GREETING"] = "from 'Slurm'" }),
            new SlurmJobFolder(Path.Combine(root, "job")));

        Assert.IsTrue(job.Id.All(char.IsAsciiDigit), $"a plain job id, not '{job.Id}'");
        Assert.AreEqual(job.Id, job.Folder.ReadJobId(), "the folder records its job id");
        var tracker = new SlurmJobTracker(client, Grace);
        tracker.Track(job);
        var (results, updates) = await SlurmPolling.UntilDone(tracker);

        var result = results[job.Id];
        Assert.IsTrue(result.Succeeded, result.Describe());
        Assert.AreEqual(SlurmJobState.Completed, result.State);
        Assert.AreEqual(0, result.ExitCode);
        Assert.AreEqual($"{workdir}\nhello from 'Slurm'\n", File.ReadAllText(job.Folder.Stdout));
        Assert.AreEqual("a warning\n", File.ReadAllText(job.Folder.Stderr));
        Assert.AreEqual("made\n", File.ReadAllText(Path.Combine(workdir, "made.txt")));
        StringAssert.StartsWith(File.ReadAllText(job.Folder.Started), job.Id + " ", "the job wrote when and where it started");
        Assert.AreEqual(1, updates.Count(u => u.Result is not null), "one result per job");
    }

    [TestMethod]
    public async Task A_failing_job_reports_its_exit_code_and_its_stderr()
    {
        var root = SlurmCluster.NewFolder("fail");
        var client = SlurmCluster.Client();
        var job = await client.SubmitAsync(Spec("broken", "echo 'it broke' >&2; exit 3", root), new SlurmJobFolder(Path.Combine(root, "job")));
        var tracker = new SlurmJobTracker(client, Grace);
        tracker.Track(job);

        var result = (await SlurmPolling.UntilDone(tracker)).Results[job.Id];

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(SlurmJobState.Failed, result.State);
        Assert.AreEqual(3, result.ExitCode);
        Assert.AreEqual("NonZeroExitCode", result.Reason, "Slurm's reason");
        StringAssert.Contains(result.Describe(), "exit code 3");
        Assert.AreEqual("it broke\n", File.ReadAllText(job.Folder.Stderr));
    }

    [TestMethod]
    public async Task A_missing_workdir_fails_the_job_with_the_shell_s_message()
    {
        var root = SlurmCluster.NewFolder("nowork");
        var client = SlurmCluster.Client();
        var job = await client.SubmitAsync(Spec("nowhere", "echo never", Path.Combine(root, "missing")), new SlurmJobFolder(Path.Combine(root, "job")));
        var tracker = new SlurmJobTracker(client, Grace);
        tracker.Track(job);

        var result = (await SlurmPolling.UntilDone(tracker)).Results[job.Id];

        Assert.AreEqual(SlurmJobState.Failed, result.State);
        Assert.AreEqual(1, result.ExitCode);
        StringAssert.Contains(File.ReadAllText(job.Folder.Stderr), "missing");
        Assert.AreEqual("", File.ReadAllText(job.Folder.Stdout));
    }

    [TestMethod]
    public async Task The_resources_asked_are_what_scontrol_shows_for_the_job()
    {
        var root = SlurmCluster.NewFolder("resources");
        var client = SlurmCluster.Client();
        var resources = Queued(new SlurmResources(Cpus: 2, Memory: "300M", Time: "0:05:00", Partition: "debug"));
        var job = await client.SubmitAsync(Spec("sized", "true", root, resources: resources), new SlurmJobFolder(Path.Combine(root, "job")));
        try
        {
            var shown = await SlurmPolling.ShowJob(client, job.Id);
            StringAssert.Contains(shown, "NumCPUs=2 ");
            StringAssert.Contains(shown, "CPUs/Task=2 ");
            StringAssert.Contains(shown, "MinMemoryNode=300M ");
            StringAssert.Contains(shown, "TimeLimit=00:05:00 ");
            StringAssert.Contains(shown, "Partition=debug ");
            StringAssert.Contains(shown, "JobName=sized ");
        }
        finally
        {
            await client.CancelAsync([job.Id]);
        }
    }

    [TestMethod]
    public async Task Queued_jobs_are_reported_pending_with_Slurm_s_reason_and_scancel_cancels_them_all()
    {
        var root = SlurmCluster.NewFolder("cancel");
        var client = SlurmCluster.Client();
        var tracker = new SlurmJobTracker(client, Grace);
        var jobs = new List<SlurmJob>();
        for (var i = 0; i < 3; i++)
        {
            var job = await client.SubmitAsync(Spec($"waiting{i}", "echo ran > ran.txt", root, resources: Queued()),
                new SlurmJobFolder(Path.Combine(root, $"job{i}")));
            jobs.Add(job);
            tracker.Track(job);
        }
        var pending = await tracker.PollAsync();
        CollectionAssert.AreEquivalent(jobs.Select(j => j.Id).ToList(), pending.Select(u => u.Job.Id).ToList(), "one update per new job");
        Assert.IsTrue(pending.All(u => u.State == SlurmJobState.Pending), string.Join(", ", pending.Select(u => $"{u.State} {u.Reason}")));
        // Slurm sets the reason on its next scheduling pass; a change of reason is an update of its own.
        foreach (var job in jobs.Where(j => pending.Single(u => u.Job == j).Reason != "BeginTime"))
            await SlurmPolling.UntilReason(tracker, job.Id, "BeginTime");
        Assert.AreEqual(0, (await tracker.PollAsync()).Count, "nothing changed, nothing reported");

        await tracker.CancelAsync(jobs.Select(j => j.Id).ToList());
        var results = (await SlurmPolling.UntilDone(tracker)).Results;

        foreach (var job in jobs)
        {
            Assert.AreEqual(SlurmJobState.Cancelled, results[job.Id].State, results[job.Id].Describe());
            Assert.IsNull(results[job.Id].ExitCode, "a job cancelled while queued never ran");
            StringAssert.Contains(await SlurmPolling.ShowJob(client, job.Id), "JobState=CANCELLED");
        }
        Assert.IsFalse(File.Exists(Path.Combine(root, "ran.txt")));
    }

    [TestMethod]
    public async Task A_restarted_tracker_re_attaches_by_job_id_to_a_running_job_and_to_one_that_ended_meanwhile()
    {
        var root = SlurmCluster.NewFolder("reattach");
        var client = SlurmCluster.Client();
        var first = new SlurmJobTracker(client, Grace);
        var quick = await client.SubmitAsync(Spec("quick", "echo quick", root), new SlurmJobFolder(Path.Combine(root, "quick")));
        // Its time limit ends it should the test fail before it lets it go.
        var slow = await client.SubmitAsync(Spec("slow", "while [ ! -e go ]; do sleep 0.2; done; echo slow", root,
            resources: new SlurmResources(Time: "5")), new SlurmJobFolder(Path.Combine(root, "slow")));
        first.Track(quick);
        first.Track(slow);
        await SlurmPolling.UntilState(first, slow.Id, SlurmJobState.Running);
        // The first tracker (a director) goes away; the quick job ends while nobody watches.
        while (quick.Folder.ReadFiles().ExitCode is null) await Task.Delay(200);

        // A new tracker knows only the ids kept in the folders (or in graph.db).
        var second = new SlurmJobTracker(client, Grace);
        foreach (var name in new[] { "quick", "slow" })
        {
            var folder = new SlurmJobFolder(Path.Combine(root, name));
            second.Track(new SlurmJob(folder.ReadJobId()!, folder));
        }
        var quickUpdates = new List<SlurmJobUpdate>();
        var running = await SlurmPolling.UntilState(second, slow.Id, SlurmJobState.Running, quickUpdates);
        Assert.IsNull(running.Result);
        File.WriteAllText(Path.Combine(root, "go"), "");
        var results = (await SlurmPolling.UntilDone(second)).Results;
        foreach (var update in quickUpdates.Where(u => u.Result is not null)) results[update.Job.Id] = update.Result!;

        Assert.IsTrue(results[quick.Id].Succeeded, results[quick.Id].Describe());
        Assert.IsTrue(results[slow.Id].Succeeded, results[slow.Id].Describe());
        Assert.AreEqual("slow\n", File.ReadAllText(slow.Folder.Stdout));
        var ids = (await client.QueueAsync()).Select(e => e.JobId).ToList();
        Assert.AreEqual(1, ids.Count(id => id == slow.Id), "the job was not submitted again");
    }

    [TestMethod]
    public async Task A_job_that_Slurm_no_longer_lists_is_judged_by_the_files_it_left()
    {
        var root = SlurmCluster.NewFolder("gone");
        var client = SlurmCluster.Client();
        // The job scripts run here by hand stand for jobs that ended long before the director came back
        // (Slurm forgets a job MinJobAge after its end); job ids this cluster never gave stand for theirs.
        var ended = new SlurmJobFolder(Path.Combine(root, "ended"));
        ended.Write(Spec("ended", "echo done; exit 4", root));
        Assert.AreEqual(4, await RunByHand(ended));
        var lost = new SlurmJobFolder(Path.Combine(root, "lost"));
        lost.Write(Spec("lost", "true", root));
        var tracker = new SlurmJobTracker(client, TimeSpan.FromSeconds(1));
        tracker.Track(new SlurmJob("999999990", ended));
        tracker.Track(new SlurmJob("999999991", lost));

        var results = (await SlurmPolling.UntilDone(tracker)).Results;

        Assert.AreEqual(SlurmJobState.Failed, results["999999990"].State);
        Assert.AreEqual(4, results["999999990"].ExitCode);
        Assert.AreEqual("done\n", File.ReadAllText(ended.Stdout));
        Assert.AreEqual(SlurmJobState.Gone, results["999999991"].State);
        Assert.IsNull(results["999999991"].ExitCode);
        StringAssert.Contains(results["999999991"].Describe(), "no longer lists the job and it never started");
    }

    [TestMethod]
    public async Task An_array_runs_each_task_s_own_job_and_each_is_tracked_by_its_own_id()
    {
        var root = SlurmCluster.NewFolder("array");
        var client = SlurmCluster.Client();
        var tasks = Enumerable.Range(0, 5)
            .Select(i => (Spec($"task{i}", $"echo task {i}; exit {(i == 3 ? 7 : 0)}", root), new SlurmJobFolder(Path.Combine(root, $"task{i}"))))
            .ToList();
        var jobs = await client.SubmitArrayAsync("sweep", new SlurmResources(Memory: "100M"), tasks, Path.Combine(root, "array"));
        var tracker = new SlurmJobTracker(client, Grace);
        foreach (var job in jobs) tracker.Track(job);

        var results = (await SlurmPolling.UntilDone(tracker)).Results;

        var arrayId = jobs[0].Id.Split('_')[0];
        for (var i = 0; i < 5; i++)
        {
            Assert.AreEqual($"{arrayId}_{i}", jobs[i].Id);
            Assert.AreEqual(jobs[i].Id, jobs[i].Folder.ReadJobId());
            Assert.AreEqual($"task {i}\n", File.ReadAllText(jobs[i].Folder.Stdout));
            Assert.AreEqual(i == 3 ? 7 : 0, results[jobs[i].Id].ExitCode);
            Assert.AreEqual(i == 3 ? SlurmJobState.Failed : SlurmJobState.Completed, results[jobs[i].Id].State);
        }
        StringAssert.Contains(await SlurmPolling.ShowJob(client, jobs[0].Id), "JobName=sweep ");
    }

    [TestMethod]
    public async Task Cancelled_array_tasks_are_reported_cancelled_although_Slurm_drops_pending_tasks_at_once()
    {
        var root = SlurmCluster.NewFolder("arraycancel");
        var client = SlurmCluster.Client();
        var tasks = Enumerable.Range(0, 3)
            .Select(i => (Spec($"task{i}", "true", root), new SlurmJobFolder(Path.Combine(root, $"task{i}"))))
            .ToList();
        var jobs = await client.SubmitArrayAsync("later", Queued(), tasks, Path.Combine(root, "array"));
        var tracker = new SlurmJobTracker(client, TimeSpan.FromSeconds(1));
        foreach (var job in jobs) tracker.Track(job);
        var pending = await tracker.PollAsync();
        Assert.AreEqual(3, pending.Count(u => u.State == SlurmJobState.Pending), "each task is listed on its own");

        await tracker.CancelAsync([jobs[1].Id]);
        await client.CancelAsync([jobs[0].Id, jobs[2].Id]);
        var results = (await SlurmPolling.UntilDone(tracker)).Results;

        Assert.IsFalse((await client.QueueAsync()).Any(e => e.JobId == jobs[1].Id), "Slurm no longer lists a cancelled pending task");
        Assert.AreEqual(SlurmJobState.Cancelled, results[jobs[1].Id].State, results[jobs[1].Id].Describe());
    }

    [TestMethod]
    public async Task Sbatch_refusing_a_job_throws_with_Slurm_s_message()
    {
        var root = SlurmCluster.NewFolder("refused");
        var client = SlurmCluster.Client();

        var error = await Assert.ThrowsExactlyAsync<SlurmCommandFailedException>(() =>
            client.SubmitAsync(Spec("nowhere", "true", root, resources: new SlurmResources(Partition: "nosuchpartition")),
                new SlurmJobFolder(Path.Combine(root, "job"))));

        Assert.AreEqual("sbatch", error.Tool);
        StringAssert.Contains(error.SlurmMessage, "invalid partition", StringComparison.OrdinalIgnoreCase);
        StringAssert.Contains(error.Message, error.SlurmMessage);
    }

    static async Task<int> RunByHand(SlurmJobFolder folder)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", [folder.JobScript])!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
