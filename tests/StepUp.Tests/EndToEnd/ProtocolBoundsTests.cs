using System.Diagnostics;
using StepUp.Protocol;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The director against a client that misbehaves: bad frames are answered with a rejection, silent
/// connections are closed and do not count as activity, and the same director serves on.
/// </summary>
[TestClass]
public sealed class ProtocolBoundsTests
{
    const string Story = """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""";

    /// <summary>`sh hold.sh OUT`: tells the test it runs, waits for the file `release`, then writes OUT.</summary>
    const string HoldScript = """
        #!/bin/sh
        touch started
        i=0
        while [ ! -e release ]; do
          i=$((i + 1))
          if [ "$i" -gt 1200 ]; then echo "never released"; exit 1; fi
          sleep 0.05
        done
        echo held > "$1"

        """;

    static long RssBytes(int pid)
    {
        var line = File.ReadLines("/proc/" + pid + "/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    static string DirectorLog(DirectorHome home) => File.ReadAllText(Directory.GetFiles(home.Dir, "d-*.log").Single());

    [TestMethod]
    public void BadRequests_AreRejected_AndTheSameDirectorBuildsOn()
    {
        using var p = new TestProject();
        p.WriteSteps(Story);
        p.Build().AssertSuccess();
        var director = p.DirectorPids().Single();
        var socket = RawConnection.SocketOf(p.Home);
        var rssBefore = RssBytes(director);

        var nested = new string('[', 250_000) + new string(']', 250_000);
        var bad = new (string What, Action<RawConnection> Send)[]
        {
            ("500 KB of nested JSON", c => c.SendFrame("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"env\":" + nested + "}")),
            ("a length prefix of 500 MB with nothing behind it", c => c.Send([0, 0, 0, 0x1F])),
            ("a request frame of 2 MB", c => c.SendFrame("{\"type\":\"api.static\",\"protocol\":1,\"paths\":[\"" + new string('a', 2 << 20) + "\"]}")),
            ("text that is not JSON", c => c.SendFrame("hello, director")),
            ("a build without a root", c => c.SendFrame("{\"type\":\"build\",\"protocol\":1}")),
            ("an idle timeout of 1e300 minutes", c => c.SendFrame("{\"type\":\"build\",\"protocol\":1,\"root\":\"" + p.Root + "\",\"idleTimeout\":1e300}")),
            ("a list where a string belongs", c => c.SendFrame("{\"type\":\"api.step\",\"protocol\":1,\"token\":[1],\"command\":\"true\"}")),
        };
        foreach (var (what, send) in bad)
        {
            using var connection = new RawConnection(socket);
            send(connection);
            var answer = connection.ReceiveEvent(TimeSpan.FromSeconds(30));
            var rejection = answer as Rejection;
            Assert.IsNotNull(rejection, $"{what}: the director should answer with a rejection, not {answer.Type}");
            Assert.AreEqual(Codes.MalformedRequest, rejection.Code, what + ": " + rejection.Reason);
            CollectionAssert.AreEqual(new[] { director }, p.DirectorPids().ToList(), $"after {what} the same director still runs");
        }
        var grown = RssBytes(director) - rssBefore;
        Assert.IsTrue(grown < 100L << 20, $"the bad requests grew the director by {grown >> 20} MB");

        var again = p.Build().AssertSuccess("A normal build after the bad requests");
        again.Check(p.DirectorPids().SequenceEqual([director]), "The same director serves the next build");
        var log = DirectorLog(p.Home);
        var refused = log.Split('\n').Count(l => l.Contains("refused a request (" + Codes.MalformedRequest + ")", StringComparison.Ordinal));
        Assert.AreEqual(bad.Length, refused, "one log line per bad request:\n" + log);
        Assert.IsFalse(log.Contains("   at ", StringComparison.Ordinal), "no stack trace for bad input in the director log:\n" + log);
    }

    /// <summary>
    /// What the malformed-message probe saw as a crash: a stream of bad requests only, for longer
    /// than the keep-alive. They are no activity, so the director ends on purpose, says why in its
    /// log, and the next build starts a new one.
    /// </summary>
    [TestMethod]
    public void OnlyBadRequests_TheDirectorEndsAsIdle_NotAsACrash_AndTheNextBuildStartsOne()
    {
        using var p = new TestProject();
        p.WriteSteps(Story);
        p.Build("-p:StepUpDirectorIdleTimeout=0.02").AssertSuccess();
        var director = p.DirectorPids().Single();
        var socket = RawConnection.SocketOf(p.Home);
        // Bad requests for up to 50 times the keep-alive: as activity they would keep the director alive all along.
        var sending = Stopwatch.StartNew();
        var sent = 0;
        while (Proc.IsAlive(director) && sending.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var connection = new RawConnection(socket);
                connection.SendFrame(sent % 2 == 0 ? "hello, director" : "{\"type\":\"build\",\"protocol\":1}");
                var answer = connection.ReceiveEvent(TimeSpan.FromSeconds(30));
                Assert.AreEqual(Codes.MalformedRequest, (answer as Rejection)?.Code, "a bad request is rejected: " + answer.Type);
                sent++;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or AssertFailedException or IOException && p.Home.WaitUntilGone(TimeSpan.FromSeconds(30)))
            {
                // The director was ending while it had this bad request: what this test waits for.
            }
        }
        Assert.IsFalse(Proc.IsAlive(director), $"{sent} bad requests and no good one kept an idle director with a keep-alive of 1.2 s alive");
        var log = DirectorLog(p.Home);
        StringAssert.Contains(log, "stopping: idle for", "the director says it ended because it was idle:\n" + log);
        Assert.IsFalse(log.Contains("director failed", StringComparison.Ordinal) || log.Contains("request failed", StringComparison.Ordinal),
            "no internal error in the director log:\n" + log);

        var again = p.Build().AssertSuccess("The next build starts a new director");
        again.Check(p.DirectorPids().Count == 1 && !p.DirectorPids().Contains(director), "A new director serves the next build");
    }

    [TestMethod]
    public void SilentConnections_AreClosed_AndDoNotKeepATransientDirectorAlive()
    {
        using var p = new TestProject();
        p.WriteFile("hold.sh", HoldScript);
        p.WriteSteps(
            [
                """<Step Include="hold" Command="sh hold.sh ${out}" Out="held.txt" />""",
                .. Enumerable.Range(1, 10).Select(i => $$"""<Step Include="copy{{i}}" Command="cat ${inp} &gt; ${out}" Inp="held.txt" Out="copy{{i}}.txt" />"""),
            ]);
        using var running = p.StartBuild("-p:StepUpDirectorIdleTimeout=0");
        if (!TestProject.WaitFor(() => p.FileExists("started") || running.HasExited, TimeSpan.FromSeconds(240)) || running.HasExited)
            Assert.Fail("The first step should be running. Output so far:\n" + running.OutputSoFar);
        var socket = RawConnection.SocketOf(p.Home);
        var silent = Enumerable.Range(0, 50).Select(_ => new RawConnection(socket)).ToList();
        try
        {
            p.WriteFile("release", "");
            var r = running.Wait(TimeSpan.FromSeconds(240)).AssertSuccess("The build finishes while 50 connections sit silent");
            r.Check(Enumerable.Range(1, 10).All(i => r.Ran("copy" + i)), "Every step ran");
            foreach (var connection in silent)
                Assert.IsTrue(connection.ClosedByDirectorWithin(TimeSpan.FromSeconds(30)), "The director closes a connection that sends no request");
            Assert.IsTrue(p.Home.WaitUntilGone(TimeSpan.FromSeconds(30)),
                "A transient director exits after its build, whatever silent connections were open; still running: " + string.Join(", ", p.DirectorPids()));
        }
        finally
        {
            foreach (var connection in silent) connection.Dispose();
        }
    }
}
