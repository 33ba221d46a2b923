using StepUp.Engine.Slurm;

namespace StepUp.Tests.Slurm;

/// <summary>Polls a tracker until every job it follows has a result, keeping every update seen.</summary>
static class SlurmPolling
{
    /// <summary>
    /// Polls every 200 ms; a job still without a result after <paramref name="limitMinutes"/> fails the
    /// test (a guard against a hang, not a timing check).
    /// </summary>
    public static async Task<(Dictionary<string, SlurmJobResult> Results, List<SlurmJobUpdate> Updates)> UntilDone(
        SlurmJobTracker tracker, double limitMinutes = 5)
    {
        var results = new Dictionary<string, SlurmJobResult>();
        var updates = new List<SlurmJobUpdate>();
        var deadline = DateTime.UtcNow.AddMinutes(limitMinutes);
        while (tracker.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{tracker.Count} jobs had no result after {limitMinutes} minutes; updates: " +
                    string.Join(", ", updates.Select(u => $"{u.Job.Id} {u.State} {u.Reason}")));
            foreach (var update in await tracker.PollAsync())
            {
                updates.Add(update);
                if (update.Result is { } result) results[update.Job.Id] = result;
            }
            if (tracker.Count > 0) await Task.Delay(200);
        }
        return (results, updates);
    }

    /// <summary>
    /// Polls until <paramref name="job"/> is reported in <paramref name="state"/>; returns that update
    /// and adds the other jobs' updates to <paramref name="others"/>.
    /// </summary>
    public static async Task<SlurmJobUpdate> UntilState(SlurmJobTracker tracker, string job, SlurmJobState state,
        List<SlurmJobUpdate>? others = null, double limitMinutes = 5)
    {
        var deadline = DateTime.UtcNow.AddMinutes(limitMinutes);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var update in await tracker.PollAsync())
            {
                if (update.Job.Id != job) others?.Add(update);
                if (update.Job.Id == job && update.State == state) return update;
                if (update.Job.Id == job && update.Result is not null)
                    Assert.Fail($"job {job} ended ({update.Result.Describe()}) before it was seen {state}");
            }
            await Task.Delay(200);
        }
        Assert.Fail($"job {job} was not seen {state} within {limitMinutes} minutes");
        return null!;
    }

    /// <summary>Polls until <paramref name="job"/> is reported with Slurm's <paramref name="reason"/>.</summary>
    public static async Task UntilReason(SlurmJobTracker tracker, string job, string reason, double limitMinutes = 5)
    {
        var deadline = DateTime.UtcNow.AddMinutes(limitMinutes);
        while (DateTime.UtcNow < deadline)
        {
            if ((await tracker.PollAsync()).Any(u => u.Job.Id == job && u.Reason == reason)) return;
            await Task.Delay(200);
        }
        Assert.Fail($"job {job} was not reported with reason {reason} within {limitMinutes} minutes");
    }

    /// <summary>What `scontrol show job` says of a job, one line of Key=Value words.</summary>
    public static async Task<string> ShowJob(SlurmClient client, string jobId) =>
        (await client.Cli.RunCheckedAsync("scontrol", ["-o", "show", "job", jobId])).Stdout;
}
