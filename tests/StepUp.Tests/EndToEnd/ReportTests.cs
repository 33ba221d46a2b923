using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// .stepup/report.html as a user finds it after `dotnet build`: named by the summary line, one
/// page with nothing fetched, a timeline of the runs, the table of steps, the output of the failed
/// step, a table per hyper step and the dependency graph; rewritten by every build.
/// </summary>
[TestClass]
public sealed class ReportTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>A sweep of four realizations with a reduce, and a step that fails with output on both streams.</summary>
    public static void WriteFailingSweep(TestProject p, bool fixedStep = false)
    {
        p.WriteFile("data.txt", "data\n");
        p.WriteSteps(
            """<Static Include="data.txt" />""",
            """<Step Include="train" Inp="data=data.txt" Params="lr=(LearningRate: small=0.1 big=0.5);size=(Size: s=1 m=2)" Out="model" Command="echo ${lr} ${size} &gt; ${model}" />""",
            """<Step Include="collect" Inp="models=$model@train[LearningRate:*]" Out="all" Command="cat ${models} &gt; ${all}" />""",
            fixedStep
                ? """<Step Include="broken" Command="echo repaired &gt; ${out}" Out="broken.txt" />"""
                : """<Step Include="broken" Command="echo broken-says-hello; echo broken-complains 1&gt;&amp;2; exit 3" Out="broken.txt" />""");
    }

    public static string ReportPath(TestProject p) => p.PathOf(".stepup/report.html");

    static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    [TestMethod]
    public void FailedBuildWithASweep_WritesAReport_WithTimelineStepsFailureHyperTablesAndGraph()
    {
        using var p = new TestProject(_home);
        WriteFailingSweep(p);

        var r = p.Build("-p:StepUpKeepGoing=true").AssertFailure("The broken step fails the build");
        r.Check(r.Output.Contains("report: " + ReportPath(p), StringComparison.Ordinal), "The summary line names the report");
        Assert.IsTrue(File.Exists(ReportPath(p)), "Every build writes .stepup/report.html");
        var html = File.ReadAllText(ReportPath(p));

        Assert.IsFalse(Regex.IsMatch(html, @"<script|<link|<img|<iframe|\bsrc=|url\(\s*['""]?https?:", RegexOptions.IgnoreCase),
            "The page is self-contained: no script, no stylesheet or image fetched");
        StringAssert.Contains(html, "StepUp: 6 ran, 0 skipped, 1 failed, 0 removed", "The page carries the build's summary");

        // Timeline: a bar per run; the failed one marked, its hover text the command and duration.
        StringAssert.Matches(html, new Regex("<svg [^>]*id=\"timeline\""));
        Assert.AreEqual(7, Count(html, "<rect class=\"run "), "One bar per run: four realizations of train, two of collect, and broken");
        Assert.AreEqual(1, Count(html, "<rect class=\"run failed\""), "The failed run is marked");
        StringAssert.Matches(html, new Regex(@"data-step=""broken""><title>broken \(failed, \d+\.\d+ s\)\necho broken-says-hello; echo broken-complains 1&gt;&amp;2; exit 3</title>"),
            "Hovering the failed bar shows its duration and command");

        // The table of steps: state, duration, exit code, why it ran.
        StringAssert.Matches(html, new Regex(@"<tr id=""step-\d+"" class=""failed""><td><code>broken</code></td><td>failed</td><td class=""num"">\d+\.\d+ s</td><td class=""num"">3</td><td class=""reason"">first run: it has not run before</td></tr>"));
        Assert.AreEqual(6, Count(html, "<tr id=\"step-\\d+\" class=\"succeeded\">"), "Every realization that ran has its row");

        // The failed step's output.
        StringAssert.Matches(html, new Regex(@"<article class=""failure"" data-step=""broken"">[\s\S]*<pre class=""stdout"">broken-says-hello\n</pre>[\s\S]*<pre class=""stderr"">broken-complains\n</pre>"));

        // ducttape's summary: one table per hyper step, a column per branch point, a row per realization.
        StringAssert.Matches(html, new Regex(@"<table class=""hyper"" data-step=""train""><thead><tr><th>Realization</th><th class=""branch-point"">LearningRate</th><th class=""branch-point"">Size</th><th>State</th>"));
        StringAssert.Contains(html, "<code>LearningRate.big+Size.m</code></a></td><td>big</td><td>m</td><td>succeeded</td>");
        StringAssert.Contains(html, "<code>Baseline.baseline</code></a></td><td>(baseline)</td><td>(baseline)</td><td>succeeded</td>");
        StringAssert.Matches(html, new Regex(@"<table class=""hyper"" data-step=""collect""><thead><tr><th>Realization</th><th class=""branch-point"">Size</th><th>State</th>"),
            "The reduce over LearningRate has Size as its only branch point");

        // The dependency graph, drawn by StepUp.
        StringAssert.Matches(html, new Regex("<svg [^>]*id=\"graph\""));
        StringAssert.Contains(html, "<g class=\"g-node g-step g-failed\" data-key=\"step:broken\">");
        StringAssert.Contains(html, "<g class=\"g-node g-file\" data-key=\"file:data.txt\">");
        Assert.AreEqual(4 + 2 + 1 + 7 + 1, Count(html, "<g class=\"g-node "), "Seven steps, six outputs and data.txt are drawn");
    }

    [TestMethod]
    public void NextBuild_RewritesTheReport_WithSkippedStepsAndTheFixedStep()
    {
        using var p = new TestProject(_home);
        WriteFailingSweep(p);
        p.Build("-p:StepUpKeepGoing=true").AssertFailure();

        WriteFailingSweep(p, fixedStep: true);
        var fixedBuild = p.Build().AssertSuccess();
        var html = File.ReadAllText(ReportPath(p));
        StringAssert.Contains(html, "StepUp: 1 ran, 6 skipped, 0 failed, 0 removed", "The report is the new build's");
        Assert.AreEqual(1, Count(html, "<rect class=\"run "), "Only the fixed step ran");
        Assert.AreEqual(0, Count(html, "<article class=\"failure\""), "No failure left");
        Assert.AreEqual(6, Count(html, "<tr id=\"step-\\d+\" class=\"skipped\">"), "The skipped steps are in the table");
        fixedBuild.Check(fixedBuild.Summary == "StepUp: 1 ran, 6 skipped, 0 failed, 0 removed", "Summary: " + fixedBuild.Summary);

        var noop = p.Build().AssertSuccess();
        noop.Check(!noop.AnyStepStarted, "Nothing runs");
        html = File.ReadAllText(ReportPath(p));
        StringAssert.Contains(html, "id=\"timeline-empty\"", "A build that ran nothing says so on its timeline");
        Assert.AreEqual(7, Count(html, "<tr id=\"step-\\d+\" class=\"skipped\">"));
    }

    [TestMethod]
    public void StepUpGraph_DrawsSvgNextToTheDotFiles()
    {
        using var p = new TestProject(_home);
        WriteFailingSweep(p, fixedStep: true);
        p.Build("-t:Build;StepUpGraph").AssertSuccess();
        foreach (var kind in new[] { "provenance", "dependency" })
        {
            Assert.IsTrue(p.FileExists($"graph_{kind}.svg"), $"StepUpGraph writes graph_{kind}.svg");
            var svg = p.ReadFile($"graph_{kind}.svg");
            StringAssert.StartsWith(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
            StringAssert.Contains(svg, "data-key=\"step:collect/Baseline.baseline\"");
        }
        StringAssert.Contains(p.ReadFile("graph_provenance.svg"), "data-key=\"root:\"", "Provenance starts at the root");
        Assert.AreEqual(Count(p.ReadFile("graph_dependency.dot"), " -> "), Count(p.ReadFile("graph_dependency.svg"), "class=\"g-edge\""),
            "The drawing has the edges of the .dot file");
    }
}
