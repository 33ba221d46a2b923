using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The build report in a real browser: headless Chromium (tests/browser/install-chromium.sh, which
/// CI runs) loads the report of a build with a failed step and a sweep; the test reads the DOM the
/// browser built and keeps a screenshot with the test's results.
/// </summary>
[TestClass]
public sealed class ReportBrowserTests
{
    static DirectorHome _home = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(2);

    /// <summary>STEPUP_CHROMIUM, or chromium on the PATH; null when there is none.</summary>
    static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("STEPUP_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured)) return configured;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in new[] { "chromium", "chromium-browser" })
                if (File.Exists(Path.Combine(folder, name))) return Path.Combine(folder, name);
        return null;
    }

    static (int ExitCode, string Output) Chromium(string chromium, string profile, params string[] args) =>
        Runner.RunTool(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=" + profile, .. args], BrowserTimeout);

    [TestMethod]
    public void Chromium_RendersTimelineStepsTableAndGraph_OfAFailedSweep()
    {
        if (FindChromium() is not { } chromium)
        {
            Assert.Inconclusive("Chromium is not installed: run tests/browser/install-chromium.sh (as root, with apt-get), as .ci/run does, to run the browser test.");
            return;
        }
        using var p = new TestProject(_home);
        ReportTests.WriteFailingSweep(p);
        p.Build("-p:StepUpKeepGoing=true").AssertFailure();
        var url = new Uri(ReportTests.ReportPath(p)).AbsoluteUri;
        var profile = Path.Combine(p.Base, "chromium-profile");

        var (code, dom) = Chromium(chromium, profile, "--dump-dom", url);
        Assert.AreEqual(0, code, "chromium --dump-dom failed:\n" + dom);
        var domFile = Path.Combine(p.Base, "report-dom.html");
        File.WriteAllText(domFile, dom);
        TestContext.AddResultFile(domFile);

        // What the browser parsed: SVG elements live in the SVG namespace and keep their attributes.
        StringAssert.Matches(dom, new Regex("<svg [^>]*id=\"timeline\""), "The timeline is in the rendered page");
        Assert.AreEqual(7, Regex.Matches(dom, "<rect class=\"run ").Count, "The timeline has a bar per run");
        Assert.AreEqual(1, Regex.Matches(dom, "<rect class=\"run failed\"").Count, "The failed run is marked");
        StringAssert.Matches(dom, new Regex(@"<table id=""steps"">[\s\S]*<td><code>broken</code></td><td>failed</td>"), "The steps table lists the failed step");
        Assert.AreEqual(7, Regex.Matches(dom, @"<tr id=""step-\d+""").Count, "The steps table has a row per step");
        StringAssert.Matches(dom, new Regex("<svg [^>]*id=\"graph\""), "The dependency graph is in the rendered page");
        Assert.AreEqual(15, Regex.Matches(dom, "<g class=\"g-node ").Count, "The graph has every step and file");
        StringAssert.Contains(dom, "<table class=\"hyper\" data-step=\"train\">", "The sweep has its table");

        var screenshot = Path.Combine(p.Base, "report.png");
        var (shotCode, shotOutput) = Chromium(chromium, profile, "--hide-scrollbars", "--window-size=1280,1800", "--screenshot=" + screenshot, url);
        Assert.AreEqual(0, shotCode, "chromium --screenshot failed:\n" + shotOutput);
        Assert.IsTrue(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "Chromium wrote a screenshot of the report");
        var kept = Path.Combine(TestContext.TestResultsDirectory ?? p.Base, "report.png");
        File.Copy(screenshot, kept, overwrite: true);
        TestContext.AddResultFile(kept);
    }
}
