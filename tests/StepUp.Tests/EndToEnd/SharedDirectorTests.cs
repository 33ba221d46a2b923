using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A director that several builds share: a CI build never stops it, and StepUpShutdown says which
/// directors it stopped, one SDK version or (StepUpShutdownAll) all of the user's.
/// </summary>
[TestClass]
public sealed class SharedDirectorTests
{
    const string Story = """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""";

    static string Pids(IEnumerable<int> pids) => "[" + string.Join(", ", pids.Order()) + "]";

    [TestMethod]
    public void ACIBuild_LeavesTheDirectorThatAnInteractiveBuildStarted()
    {
        using var p = new TestProject();
        p.WriteSteps(Story);
        p.Build().AssertSuccess();
        var shared = p.DirectorPids();
        Assert.AreEqual(1, shared.Count, "The interactive build leaves its director running");

        using var ci = new TestProject(p.Home);
        ci.WriteSteps(Story);
        ci.Env["CI"] = "true";
        var r = ci.Build().AssertSuccess();
        r.Check(!p.Home.WaitUntilGone(TimeSpan.FromSeconds(5)) && p.DirectorPids().SequenceEqual(shared),
            $"A CI build must not stop the director others use: {Pids(shared)} then {Pids(p.DirectorPids())}");
        p.Build().AssertSuccess().Check(p.DirectorPids().SequenceEqual(shared), "The interactive builds go on with the same director");
    }

    [TestMethod]
    public void Shutdown_NamesTheVersionItStopped_AndShutdownAllStopsEveryDirector()
    {
        using var p = new TestProject();
        p.WriteSteps(Story);
        p.Build("-p:StepUpSdkVersion=9.9.9-other").AssertSuccess();
        p.Build().AssertSuccess();
        var both = p.DirectorPids();
        Assert.AreEqual(2, both.Count, "Two SDK versions, two directors: " + Pids(both));

        var stop = p.Build("-t:StepUpShutdown").AssertSuccess();
        stop.Check(Regex.IsMatch(stop.Output, @"Stopped the StepUp director of StepUp\.Sdk " + Regex.Escape(SdkFeed.Version) + @" \(pid \d+\)"),
            "StepUpShutdown says which director it stopped, by SDK version");
        stop.Check(TestProject.WaitFor(() => p.DirectorPids().Count == 1, TimeSpan.FromSeconds(15)), "Only this SDK's director stops: " + Pids(p.DirectorPids()));

        var all = p.Build("-t:StepUpShutdown", "-p:StepUpShutdownAll=true").AssertSuccess();
        all.Check(all.Output.Contains("Stopped the StepUp director of StepUp.Sdk 9.9.9-other (pid", StringComparison.Ordinal),
            "StepUpShutdownAll stops the other version's director and names it");
        all.Check(p.Home.WaitUntilGone(TimeSpan.FromSeconds(15)), "No director is left: " + Pids(p.DirectorPids()));

        var none = p.Build("-t:StepUpShutdown", "-p:StepUpShutdownAll=true").AssertSuccess();
        none.Check(none.Output.Contains("No StepUp director of this user is running.", StringComparison.Ordinal), "Nothing to stop is said, not an error");
    }
}
