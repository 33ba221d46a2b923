namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The attic (reference §9.6): with StepUpAttic=true every earlier output that StepUp would
/// overwrite or delete is kept under .stepup/attic/&lt;build&gt;/, through a rerun, an orphan cleanup,
/// Clean and a failed step's partial output; without it StepUp behaves as before.
/// </summary>
[TestClass]
public sealed class HyperAtticTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string Attic = "-p:StepUpAttic=true";

    static string Foo(string letters, string version) =>
        $$"""<Step Include="foo" Params="msg=(Letter: {{letters}})" Out="letter" Command="echo ${msg}-{{version}} &gt; ${letter}" />""";

    static string BuildNumber(BuildResult r) =>
        System.Text.RegularExpressions.Regex.Match(r.Output, @"StepUp: \d+ ran, \d+ skipped, \d+ failed, \d+ removed(?:, \d+ not run)? \(build (\d+)\)").Groups[1].Value;

    [TestMethod]
    public void Attic_KeepsNumberedVersions_ThroughARerunAnOrphanCleanupCleanAndAFailure()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Foo("a b", "v1"));
        var first = p.Build(Attic).AssertSuccess();
        Assert.AreEqual("1", BuildNumber(first), "the summary line shows the build number");
        Assert.AreEqual("b-v1\n", p.ReadFile("realizations/foo/Letter.b/letter"));

        // A rerun: the outputs of build 1 move to attic/1 before the step writes new ones.
        p.WriteSteps(Foo("a b", "v2"));
        var rerun = p.Build(Attic).AssertSuccess();
        Assert.AreEqual("2", BuildNumber(rerun));
        Assert.AreEqual("a-v2\n", p.ReadFile("realizations/foo/Baseline.baseline/letter"));
        Assert.AreEqual("a-v1\n", p.ReadFile(".stepup/attic/1/realizations/foo/Baseline.baseline/letter"));
        Assert.AreEqual("b-v1\n", p.ReadFile(".stepup/attic/1/realizations/foo/Letter.b/letter"));

        // An orphan: Letter.b is gone from the workflow; its output (from build 2) moves to attic/2.
        p.WriteSteps(Foo("a", "v2"));
        var orphan = p.Build(Attic).AssertSuccess();
        Assert.AreEqual("3", BuildNumber(orphan));
        orphan.Check(orphan.HasEvent("ATTIC", "realizations/foo/Letter.b/letter -> .stepup/attic/2/realizations/foo/Letter.b/letter"),
            "the cleanup says where the file went");
        orphan.Check(!orphan.Removed("realizations/foo/Letter.b/letter"), "nothing is deleted");
        Assert.IsFalse(p.FileExists("realizations/foo/Letter.b/letter"));
        Assert.AreEqual("b-v2\n", p.ReadFile(".stepup/attic/2/realizations/foo/Letter.b/letter"));
        Assert.AreEqual("b-v1\n", p.ReadFile(".stepup/attic/1/realizations/foo/Letter.b/letter"), "the attic keeps every version");

        // Clean: the remaining output (made by build 2) moves too.
        p.Dotnet("build", p.ProjectPath, "-t:Clean", "-tl:off", "-v:n", "-nr:false", Attic).AssertSuccess();
        Assert.IsFalse(p.FileExists("realizations/foo/Baseline.baseline/letter"));
        Assert.AreEqual("a-v2\n", p.ReadFile(".stepup/attic/2/realizations/foo/Baseline.baseline/letter"));

        // After Clean the numbering goes on; a failed step's partial output is kept when it runs again.
        p.WriteSteps(Foo("a", "v3"), """<Step Include="flaky" Out="part.txt" Command="echo partial &gt; part.txt; exit 1" />""");
        var failed = p.Build(Attic, "-p:StepUpKeepGoing=true");
        failed.Check(failed.ExitCode != 0 && failed.Failed("flaky"), "flaky fails");
        Assert.AreEqual("4", BuildNumber(failed), "Clean keeps the build number with the attic");
        p.WriteSteps(Foo("a", "v3"), """<Step Include="flaky" Out="part.txt" Command="echo whole &gt; part.txt" />""");
        var fixedBuild = p.Build(Attic).AssertSuccess();
        Assert.AreEqual("5", BuildNumber(fixedBuild));
        Assert.AreEqual("whole\n", p.ReadFile("part.txt"));
        Assert.AreEqual("partial\n", p.ReadFile(".stepup/attic/4/part.txt"), "the partial output of failed build 4");
        Assert.AreEqual("a-v1\n", p.ReadFile(".stepup/attic/1/realizations/foo/Baseline.baseline/letter"), "nothing in the attic was deleted");
    }

    [TestMethod]
    public void WithoutTheAttic_OutputsAreOverwrittenAndDeletedAsBefore()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(Foo("a b", "v1"));
        Assert.AreEqual("1", BuildNumber(p.Build().AssertSuccess()), "builds are numbered without the attic too");
        p.WriteSteps(Foo("a b", "v2"));
        p.Build().AssertSuccess();
        Assert.AreEqual("b-v2\n", p.ReadFile("realizations/foo/Letter.b/letter"));
        p.WriteSteps(Foo("a", "v2"));
        var orphan = p.Build().AssertSuccess();
        orphan.Check(orphan.Removed("realizations/foo/Letter.b/letter"), "the orphan's output is deleted");
        Assert.IsFalse(p.FileExists("realizations/foo/Letter.b/letter"));
        Assert.IsFalse(p.DirExists(".stepup/attic"), "no attic without StepUpAttic");
    }
}
