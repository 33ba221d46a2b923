using StepUp.Engine.Slurm;

namespace StepUp.Tests.Slurm;

/// <summary>
/// Jobs over their time limit, against the real cluster. Slurm counts time limits in whole minutes
/// and checks them about every half minute, so this class takes a minute or two: it is a class of
/// its own so that it overlaps with the other tests.
/// </summary>
[TestClass]
public sealed class SlurmTimeLimitTests
{
    [TestInitialize]
    public void RequireCluster() => SlurmCluster.Require();

    [TestMethod]
    public async Task A_job_over_its_time_limit_is_reported_as_Slurm_s_TIMEOUT_whether_it_stops_on_SIGTERM_or_is_killed()
    {
        var root = SlurmCluster.NewFolder("timeout");
        var client = SlurmCluster.Client();
        var oneMinute = new SlurmResources(Time: "1");
        var variables = new Dictionary<string, string>();
        var polite = await client.SubmitAsync(new SlurmJobSpec("polite", "echo started; sleep 600", root, variables, oneMinute),
            new SlurmJobFolder(Path.Combine(root, "polite")));
        // Ignores SIGTERM, so Slurm kills it KillWait seconds later: it cannot write its exit code.
        var stubborn = await client.SubmitAsync(new SlurmJobSpec("stubborn", "trap '' TERM; echo started; sleep 600", root, variables, oneMinute),
            new SlurmJobFolder(Path.Combine(root, "stubborn")));
        var tracker = new SlurmJobTracker(client, TimeSpan.FromSeconds(5));
        tracker.Track(polite);
        tracker.Track(stubborn);

        var results = (await SlurmPolling.UntilDone(tracker, limitMinutes: 6)).Results;

        foreach (var job in new[] { polite, stubborn })
        {
            var result = results[job.Id];
            Assert.AreEqual(SlurmJobState.Timeout, result.State, result.Describe());
            Assert.AreEqual("TimeLimit", result.Reason, "Slurm's reason");
            Assert.AreEqual("TERM", result.Signal, "Slurm sent SIGTERM first");
            StringAssert.Contains(result.Describe(), "time limit");
            Assert.AreEqual("started\n", File.ReadAllText(job.Folder.Stdout), "the output so far is kept");
        }
        Assert.AreEqual(143, results[polite.Id].ExitCode, "the step ended on SIGTERM and its exit code was written");
        // Slurm's SIGKILL reaches the job's processes in no fixed order: the job script is usually
        // killed before it can write anything, and rarely outlives its step long enough to write 137.
        Assert.IsTrue(results[stubborn.Id].ExitCode is null or 137,
            $"the step was killed with the job script: no exit code, or SIGKILL's 137, not {results[stubborn.Id].ExitCode}");
    }
}
