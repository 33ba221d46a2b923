namespace StepUp.Tests.EndToEnd;

/// <summary>StepUp among the usual dotnet tools: graph files, design-time builds, binary logs, solutions, pack.</summary>
[TestClass]
public sealed class IntegrationTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Story = """<Step Include="story" Command="echo First line. &gt; ${out}; echo Second line. &gt;&gt; ${out}" Out="story.txt" />""";
    const string Grep = """<Step Include="grep" Command="grep First ${inp}" Inp="story.txt" />""";

    [TestMethod]
    public void GraphTarget_WritesTextAndDotFiles()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story, Grep);
        var binlog = Path.Combine(p.Base, "logs", "build.binlog");
        p.Build("-bl:" + binlog).AssertSuccess("dotnet build -bl works");
        Assert.IsTrue(File.Exists(binlog), "-bl should write the binary log");

        var r = p.Build("-t:StepUpGraph").AssertSuccess();
        r.Check(!r.AnyStepStarted, "Writing the graph runs no step");
        foreach (var file in new[] { "graph.txt", "graph_provenance.dot", "graph_dependency.dot" })
            r.Check(p.FileExists(file), "StepUpGraph should write " + file + " in the project root");

        var text = p.ReadFile("graph.txt");
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.IsTrue(lines.Contains("root:"), "graph.txt should list the root node:\n" + text);
        Assert.IsTrue(lines.Contains("step:story"), "graph.txt should list step:story:\n" + text);
        Assert.IsTrue(lines.Contains("file:story.txt"), "graph.txt should list file:story.txt:\n" + text);
        StringAssert.Contains(text, "state = BUILT", "A built node should have `state = BUILT`");
        StringAssert.Contains(text, "creator   step:story", "story.txt is created by the story step");
        StringAssert.Contains(text, "consumes   file:story.txt", "grep consumes story.txt");
        StringAssert.Contains(text, "supplies   step:grep", "story.txt supplies grep");
        StringAssert.Contains(text, "command = echo First line.", "A step lists its command");

        var dependency = p.ReadFile("graph_dependency.dot");
        StringAssert.Contains(dependency, "digraph", "The dependency graph is a GraphViz digraph");
        StringAssert.Contains(dependency, "->", "The dependency graph should have an edge");
        StringAssert.Contains(p.ReadFile("graph_provenance.dot"), "->", "The provenance graph should have an edge");
    }

    [TestMethod]
    public void DesignTimeBuild_RunsNoStep()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story, Grep);
        var r = p.Build("-p:DesignTimeBuild=true").AssertSuccess();
        r.Check(!r.AnyStepStarted, "A design-time build of an IDE runs no step");
        Assert.IsFalse(p.FileExists("story.txt"), "A design-time build makes no output");
    }

    const string LibProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
          </PropertyGroup>
        </Project>

        """;

    static void WriteLibrary(TestProject p)
    {
        Directory.CreateDirectory(Path.Combine(p.Base, "lib"));
        File.WriteAllText(Path.Combine(p.Base, "lib", "lib.csproj"), LibProject);
        File.WriteAllText(Path.Combine(p.Base, "lib", "Answer.cs"), "namespace Lib;\npublic static class Answer { public static int Value => 42; }\n");
    }

    static readonly string[] NoServers = ["-nr:false", "-p:UseSharedCompilation=false"];

    [TestMethod]
    public void SolutionMixingStepprojAndCsproj_BuildsAndPacks()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story, Grep);
        WriteLibrary(p);

        p.DotnetIn(p.Base, "new", "sln", "-n", "Mixed", "--no-update-check").AssertSuccess();
        var solution = Directory.GetFiles(p.Base, "Mixed.sln*").Single();
        p.DotnetIn(p.Base, "sln", solution, "add", p.ProjectPath, Path.Combine(p.Base, "lib", "lib.csproj"))
            .AssertSuccess("dotnet sln add of a .stepproj works");

        var build = p.DotnetIn(p.Base, ["build", solution, "-tl:off", "-v:n", .. NoServers]).AssertSuccess("A solution with a .stepproj and a .csproj builds");
        build.Check(build.Ran("story") && build.Ran("grep"), "The solution build runs the steps");
        Assert.IsTrue(p.FileExists("story.txt"));
        Assert.IsTrue(File.Exists(Path.Combine(p.Base, "lib", "bin", "Debug", "net10.0", "lib.dll")), "The library is built too");

        p.DotnetIn(p.Base, ["pack", solution, "-tl:off", .. NoServers]).AssertSuccess("dotnet pack over the solution does not fail because of the .stepproj");
        Assert.IsTrue(Directory.GetFiles(Path.Combine(p.Base, "lib", "bin"), "lib.*.nupkg", SearchOption.AllDirectories).Length > 0,
            "The library is packed");
    }

    [TestMethod]
    public void ClassicSlnFormat_SlnAddAndBuild()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Story);

        p.DotnetIn(p.Base, "new", "sln", "-n", "Classic", "--format", "sln", "--no-update-check").AssertSuccess();
        var solution = Path.Combine(p.Base, "Classic.sln");
        p.DotnetIn(p.Base, "sln", solution, "add", p.ProjectPath).AssertSuccess("dotnet sln add of a .stepproj to a .sln works");

        var build = p.DotnetIn(p.Base, ["build", solution, "-tl:off", "-v:n", .. NoServers]).AssertSuccess();
        build.Check(build.Ran("story"), "The solution build runs the step");
        Assert.IsTrue(p.FileExists("story.txt"));
    }
}
