using StepUp.Engine.Graph;
using StepUp.Engine.Reporting;

namespace StepUp.Tests.Unit;

[TestClass]
public sealed class GraphWriterTests
{
    static readonly string DigestA = string.Concat(Enumerable.Repeat("0123abcd", 8));
    static readonly string DigestB = string.Concat(Enumerable.Repeat("fedcba98", 8));

    /// <summary>
    /// 1 root, 2 step story, 3 file story.txt, 4 step grep, 5 file grep.out, 6 orphan file old.txt.
    /// </summary>
    static ProjectGraph SampleGraph()
    {
        var graph = new ProjectGraph();
        var story = graph.AddStep(new StepDefinition
        {
            Key = "story",
            Label = "story",
            Command = "echo First line. > story.txt; echo Second line. >> story.txt",
            Outputs = ["story.txt"],
        });
        ProjectGraph.SetCreator(story, graph.Root);
        graph.LinkStep(story);
        story.State = StepState.Succeeded;
        var storyTxt = graph.FindFile("story.txt")!;
        storyTxt.State = FileState.Built;
        storyTxt.Stamp = new FileStamp(Digest.FromText(DigestA), 25, 1, 2, 3, 0b110_100_100);

        var grep = graph.AddStep(new StepDefinition
        {
            Key = "grep",
            Label = "grep",
            Command = "grep First story.txt",
            Workdir = "sub",
            Inputs = ["story.txt"],
            Outputs = ["grep.out"],
        });
        ProjectGraph.SetCreator(grep, graph.Root);
        graph.LinkStep(grep);
        // An output that is not built shows no digest, even with an old stamp.
        graph.FindFile("grep.out")!.Stamp = new FileStamp(Digest.FromText(DigestB), 1, 1, 1, 1, 0);

        var old = graph.GetOrAddFile("old.txt");
        old.State = FileState.Built;
        old.Stamp = new FileStamp(Digest.FromText(DigestB), 1, 1, 1, 1, 0);
        return graph;
    }

    const string ExpectedText = """
        root:
                     creates   step:grep
                     creates   step:story

        step:story
                       state = SUCCEEDED
                        need = DEFAULT
                     workdir = ./
                     command = echo First line. > story.txt; echo Second line. >> story.txt
                     creator   root:
                     creates   file:story.txt
                    supplies   file:story.txt

        file:story.txt
                       state = BUILT
                      digest = 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd
                     creator   step:story
                    consumes   step:story
                    supplies   step:grep

        step:grep
                       state = PENDING
                        need = DEFAULT
                     workdir = sub/
                     command = grep First story.txt
                     creator   root:
                    consumes   file:story.txt
                     creates   file:grep.out
                    supplies   file:grep.out

        file:grep.out
                       state = AWAITED
                     creator   step:grep
                    consumes   step:grep

        (file:old.txt)
                       state = BUILT
                      digest = fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98

        """;

    const string ExpectedProvenance = """
        strict digraph {
          graph [rankdir=BT bgcolor=transparent]
          node [penwidth=0 colorscheme=set39 style=filled fillcolor=5]
          edge [color=dimgray]
          edge [arrowhead=empty]
          1 [label="root" shape=hexagon fillcolor=6]
          2 [label="story"]
          3 [label="story.txt" shape=rect fillcolor=9]
          4 [label="grep"]
          5 [label="grep.out" shape=rect fillcolor=9]
          6 [label="old.txt" shape=rect fillcolor=9]
          1 -> 2
          1 -> 4
          2 -> 3
          4 -> 5
        }

        """;

    [TestMethod]
    public void TextListsNodesFieldsAndRelations()
    {
        Assert.AreEqual(ExpectedText.ReplaceLineEndings("\n"), GraphWriter.FormatText(SampleGraph()));
    }

    [TestMethod]
    public void TextOfAVolatileOutputAndALongDigest()
    {
        var graph = new ProjectGraph();
        var step = graph.AddStep(new StepDefinition { Key = "s", Label = "make log", Command = "make\nlog", Volatiles = ["x.log"] });
        ProjectGraph.SetCreator(step, graph.Root);
        graph.LinkStep(step);
        var file = graph.GetOrAddFile("big.bin");
        ProjectGraph.SetCreator(file, graph.Root);
        file.State = FileState.Static;
        file.Stamp = new FileStamp(Digest.FromText(DigestA + DigestB), 1, 1, 1, 1, 0);

        var expected = """
            root:
                         creates   file:big.bin
                         creates   step:make log

            step:make log
                           state = PENDING
                            need = DEFAULT
                         workdir = ./
                         command = make
                                 = log
                         creator   root:
                         creates   file:x.log
                        supplies   file:x.log

            file:x.log
                           state = VOLATILE
                         creator   step:make log
                        consumes   step:make log

            file:big.bin
                           state = STATIC
                          digest = 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd 0123abcd
                                 = fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98 fedcba98
                         creator   root:

            """;
        Assert.AreEqual(expected.ReplaceLineEndings("\n"), GraphWriter.FormatText(graph));
    }

    [TestMethod]
    public void ProvenanceDotHasCreatorEdges()
    {
        Assert.AreEqual(ExpectedProvenance.ReplaceLineEndings("\n"), GraphWriter.FormatProvenanceDot(SampleGraph()));
    }

    [TestMethod]
    public void DependencyDotHasSupplierEdgesAndNoRoot()
    {
        var dot = GraphWriter.FormatDependencyDot(SampleGraph());
        var lines = dot.Split('\n');
        CollectionAssert.AreEqual(new[] { "  2 -> 3", "  3 -> 4", "  4 -> 5" }, lines.Where(l => l.Contains("->")).ToList());
        Assert.IsTrue(dot.StartsWith("strict digraph {\n", StringComparison.Ordinal));
        Assert.IsTrue(dot.EndsWith("}\n", StringComparison.Ordinal));
        Assert.IsFalse(dot.Contains("hexagon"), "the root is not part of the dependency graph");
        Assert.IsFalse(dot.Contains("arrowhead=empty"));
        Assert.IsTrue(lines.Contains("  6 [label=\"old.txt\" shape=rect fillcolor=9]"));
        Assert.AreEqual(dot, GraphWriter.FormatDependencyDot(SampleGraph()), "deterministic");
    }

    [TestMethod]
    public void DotLabelsAreWrappedAndEscaped()
    {
        var graph = new ProjectGraph();
        var step = graph.AddStep(new StepDefinition { Key = "s", Label = "say \"hi\" to everyone in the room", Command = "true" });
        ProjectGraph.SetCreator(step, graph.Root);
        var file = graph.GetOrAddFile(@"very/long/folder/name\with\backslash.txt");
        ProjectGraph.SetCreator(file, graph.Root);
        var dot = GraphWriter.FormatProvenanceDot(graph);
        StringAssert.Contains(dot, "  2 [label=\"say \\\"hi\\\" to everyone\\nin the room\"]\n");
        StringAssert.Contains(dot, "  3 [label=\"very/long/folder/\\nname\\\\with\\\\backslash.txt\" shape=rect fillcolor=9]\n");
    }

    [TestMethod]
    public void SvgBoxesWrapLabelsAsTheDotFilesDo_ALongPathEndingInASlashGetsNoBlankLine()
    {
        var layout = new GraphLayout(["a_folder_name_longer_than_a_box/", "say hi to everyone in the room\nline two"], []);
        CollectionAssert.AreEqual(new[] { "a_folder_name_longer_than_a_box/" }, layout.Boxes[0].Lines.ToArray());
        CollectionAssert.AreEqual(new[] { "say hi to everyone in", "the room", "line two" }, layout.Boxes[1].Lines.ToArray());
    }

    [TestMethod]
    public void WriteCreatesTheThreeFiles()
    {
        using var temp = new TempFolder();
        var graph = SampleGraph();
        GraphWriter.Write(graph, temp.Path, "out/graph");
        Assert.AreEqual(ExpectedText.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(temp.Path, "out", "graph.txt")));
        Assert.AreEqual(ExpectedProvenance.ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(temp.Path, "out", "graph_provenance.dot")));
        Assert.AreEqual(GraphWriter.FormatDependencyDot(graph), File.ReadAllText(Path.Combine(temp.Path, "out", "graph_dependency.dot")));

        var absolute = Path.Combine(temp.Path, "elsewhere", "g");
        GraphWriter.Write(graph, Path.Combine(temp.Path, "unused"), absolute);
        Assert.IsTrue(File.Exists(absolute + ".txt"));
        Assert.IsTrue(File.Exists(absolute + "_provenance.dot"));
        Assert.IsTrue(File.Exists(absolute + "_dependency.dot"));
        Assert.IsFalse(Directory.Exists(Path.Combine(temp.Path, "unused")));
    }
}
