using System.Text.Json;

namespace StepUp.Tests.EndToEnd;

/// <summary>The SDK's MSBuild files: their extension points, their defence against repository-wide settings, their binary-log records.</summary>
[TestClass]
public sealed class SdkFilesTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Story = """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="story.txt" />""";

    [TestMethod]
    public void StepUpBuildDependsOn_TargetThatAddsSteps_RunsThem()
    {
        using var p = new TestProject(_home);
        p.WriteProject("""
              <PropertyGroup>
                <StepUpBuildDependsOn>$(StepUpBuildDependsOn);AddSeedSteps</StepUpBuildDependsOn>
              </PropertyGroup>
              <ItemGroup>
                <Seed Include="1;2;3" />
              </ItemGroup>
              <!-- Computes the steps when the build runs, not when the project is read. -->
              <Target Name="AddSeedSteps">
                <ItemGroup>
                  <Step Include="seed-%(Seed.Identity)" Command="echo %(Seed.Identity) &gt; ${out}" Out="seed-%(Seed.Identity).txt" />
                </ItemGroup>
              </Target>
            """);

        var first = p.Build().AssertSuccess();
        foreach (var seed in new[] { "1", "2", "3" })
        {
            first.Check(first.Ran("seed-" + seed) && first.Succeeded("seed-" + seed), $"The step seed-{seed} that AddSeedSteps added runs");
            Assert.AreEqual(seed, p.ReadFile($"seed-{seed}.txt").Trim(), $"seed-{seed}.txt is what its step wrote");
        }

        var second = p.Build().AssertSuccess();
        second.Check(!second.AnyStepStarted && second.Skipped("seed-1") && second.Skipped("seed-3"),
            "Steps added by a target are tracked like any other: up to date, they are skipped");

        var designTime = p.Build("-p:DesignTimeBuild=true").AssertSuccess();
        designTime.Check(!designTime.Output.Contains("SKIP \u2502", StringComparison.Ordinal) && !designTime.AnyStepStarted,
            "A design-time build neither runs StepUp nor the targets it depends on");
    }

    /// <summary>
    /// A repository whose Directory.Build.props multi-targets its libraries. The .stepproj stays one
    /// project: restore resolves one framework, the build runs each step once, and no framework the
    /// repository names is fetched for it (net48 would need a reference-assemblies package).
    /// </summary>
    [TestMethod]
    [DataRow("<TargetFrameworks>net8.0;net10.0</TargetFrameworks>")]
    [DataRow("<TargetFrameworks>net48;net10.0</TargetFrameworks>")]
    [DataRow("<TargetFrameworks>net8.0;net10.0</TargetFrameworks><TargetFramework></TargetFramework>")]
    public void RepositoryWideTargetFrameworks_BuildTheProjectOnceAndEachStepOnce(string properties)
    {
        using var p = new TestProject(_home);
        File.WriteAllText(Path.Combine(p.Base, "Directory.Build.props"), $"<Project>\n  <PropertyGroup>{properties}</PropertyGroup>\n</Project>\n");
        p.WriteSteps("""<Step Include="count" Command="echo ran &gt;&gt; ../runs.log; echo x &gt; ${out}" Out="out.txt" />""");

        var first = p.Build().AssertSuccess("A .stepproj under a multi-targeting Directory.Build.props builds");
        first.Check(first.StartedSteps.Count == 1, "The step starts once");
        first.Check(first.Lines.Count(l => l.Contains(" -> StepUp: ", StringComparison.Ordinal)) == 1, "StepUp runs once: one summary line");
        Assert.AreEqual(1, File.ReadAllLines(Path.Combine(p.Base, "runs.log")).Length, "The step's command ran once");

        using (var assets = JsonDocument.Parse(p.ReadFile("obj/project.assets.json")))
        {
            var frameworks = assets.RootElement.GetProperty("targets").EnumerateObject().Select(t => t.Name).ToList();
            CollectionAssert.AreEqual(new[] { "net10.0" }, frameworks, "Restore resolves the project for one framework");
        }

        var second = p.Build().AssertSuccess();
        second.Check(!second.AnyStepStarted && second.Skipped("count"), "The next build skips the step");
        Assert.AreEqual(1, File.ReadAllLines(Path.Combine(p.Base, "runs.log")).Length, "The step's command did not run again");
    }

    [TestMethod]
    public void CustomBeforeMicrosoftCommonTargets_OfTheProject_IsImported()
    {
        using var p = new TestProject(_home);
        p.WriteFile("before.targets", """
            <Project>
              <Target Name="SayHello" BeforeTargets="StepUpBuild">
                <Message Importance="high" Text="hello from before.targets" />
              </Target>
            </Project>
            """);
        p.WriteProject($"""
              <PropertyGroup>
                <CustomBeforeMicrosoftCommonTargets>$(MSBuildProjectDirectory)/before.targets</CustomBeforeMicrosoftCommonTargets>
              </PropertyGroup>
              <ItemGroup>
                {Story}
              </ItemGroup>
            """);
        var r = p.Build().AssertSuccess();
        r.Check(r.Output.Contains("hello from before.targets", StringComparison.Ordinal),
            "MSBuild's own CustomBeforeMicrosoftCommonTargets hook imports the project's file");
        r.Check(r.Ran("story"), "The workflow runs too");
    }

    [TestMethod]
    public void BinaryLog_EmbedsDirectorLogGraphFilesAndWhatTheBuildWroteInStepUpsFolder()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story);
        // A stand-in for a graph written into .stepup/: embedded when it exists.
        p.WriteFile(".stepup/graph.txt", "root:\n");
        var binlog = Path.Combine(p.Base, "logs", "graph.binlog");

        p.Build("-t:Build;StepUpGraph", "-bl:" + binlog).AssertSuccess();

        var files = BinaryLog.EmbeddedFiles(binlog);
        Assert.IsTrue(files.Count > 0, "The binary log embeds files (at least the project's imports)");
        var directorLog = BinaryLog.Find(files, p.PathOf(".stepup/director.log"));
        Assert.IsNotNull(directorLog, "The binary log embeds .stepup/director.log; it holds: " + string.Join(", ", files.Keys));
        StringAssert.Contains(directorLog, "build: StepUp: 1 ran", "The embedded director.log has this build's line");
        StringAssert.Contains(BinaryLog.Find(files, p.PathOf(".stepup/report.html")) ?? "", "StepUp: 1 ran, 0 skipped", "The binary log embeds this build's .stepup/report.html");
        Assert.AreEqual("root:\n", BinaryLog.Find(files, p.PathOf(".stepup/graph.txt")), "The binary log embeds .stepup/graph.txt");
        StringAssert.Contains(BinaryLog.Find(files, p.PathOf("graph.txt")) ?? "", "step:story", "The binary log embeds the graph.txt that StepUpGraph wrote");
        Assert.IsNotNull(BinaryLog.Find(files, p.PathOf("graph_dependency.dot")), "The binary log embeds graph_dependency.dot");
    }

    /// <summary>
    /// Below normal verbosity the director sends no START, SUCCESS or SKIP lines (thousands in a
    /// build cost the logging service even when nothing shows them); a logger that does show them
    /// still gets them.
    /// </summary>
    [TestMethod]
    public void StepLines_ReachEveryLoggerThatShowsThem()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story);
        var coldBinlog = Path.Combine(p.Base, "logs", "cold.binlog");
        p.Build("-v:q", "-bl:" + coldBinlog).AssertSuccess();
        var cold = p.Dotnet("msbuild", coldBinlog, "-v:n", "-nologo");
        cold.Check(cold.ExitCode == 0 && cold.Ran("story") && cold.Succeeded("story"),
            "a binary log of a -v:q build has the START and SUCCESS lines: replayed at -v:n it shows them");

        var normal = p.Build().AssertSuccess();
        normal.Check(normal.Skipped("story"), "-v:n shows the SKIP line");

        var binlog = Path.Combine(p.Base, "logs", "noop.binlog");
        p.Build("-v:m", "-bl:" + binlog).AssertSuccess();
        var replayed = p.Dotnet("msbuild", binlog, "-v:n", "-nologo");
        replayed.Check(replayed.ExitCode == 0 && replayed.Skipped("story"),
            "a binary log of a -v:m build has the SKIP line: replayed at -v:n it shows it");
    }

    [TestMethod]
    public void BinaryLog_OfAFailedBuild_EmbedsDirectorLogAndReport_AndLeavesOutFilesThatDoNotExist()
    {
        using var p = new TestProject(_home);
        p.WriteSteps("""<Step Include="broken" Command="echo about to fail; exit 3" />""");
        var binlog = Path.Combine(p.Base, "logs", "failed.binlog");

        p.Build("-bl:" + binlog).AssertFailure("A failing step fails the build");

        var files = BinaryLog.EmbeddedFiles(binlog);
        var directorLog = BinaryLog.Find(files, p.PathOf(".stepup/director.log"));
        Assert.IsNotNull(directorLog, "A failed build's binary log embeds .stepup/director.log; it holds: " + string.Join(", ", files.Keys));
        StringAssert.Contains(directorLog, "1 failed", "The embedded director.log has the failed build's line");
        StringAssert.Contains(BinaryLog.Find(files, p.PathOf(".stepup/report.html")) ?? "", "about to fail", "The failed build's report, with the step's output, is embedded");
        Assert.IsNull(BinaryLog.Find(files, p.PathOf(".stepup/graph.txt")), "No graph.txt was written, so none is embedded");
    }
}
