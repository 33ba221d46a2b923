namespace StepUp.Tests.EndToEnd;

/// <summary>
/// An invalid plan: dotnet build fails with a STEPUP error at the offending item's line, no step runs,
/// and the user's files stay as they were. (Codes are written out: they are part of the user contract.)
/// </summary>
[TestClass]
public sealed class PlanErrorTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>A valid step next to the error: it must not run either.</summary>
    const string Innocent = """<Step Include="innocent" Command="echo innocent &gt; ${out}" Out="innocent.txt" />""";

    static TestProject NewProject()
    {
        var p = new TestProject(_home);
        p.WriteFile("user.txt", "the user's own file\n");
        return p;
    }

    /// <summary>Builds, and checks what every plan error shares; the error must point at one of <paramref name="itemSnippets"/>.</summary>
    static BuildResult BuildExpectingPlanError(TestProject p, string code, params string[] itemSnippets)
    {
        var r = p.Build().AssertFailure("An invalid plan fails dotnet build");
        p.AssertErrorAt(r, code, itemSnippets.Select(p.LineOf).ToArray());
        r.Check(!r.AnyStepStarted, "An invalid plan runs no step; started: " + string.Join(", ", r.StartedSteps));
        Assert.IsFalse(p.FileExists("innocent.txt"), "An invalid plan runs no step");
        Assert.AreEqual("the user's own file\n", p.ReadFile("user.txt"), "The user's files are untouched");
        return r;
    }

    [TestMethod]
    public void DuplicateStepName_STEPUP0001_AndEarlierOutputsStay()
    {
        using var p = NewProject();
        p.WriteSteps("""<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""");
        p.Build().AssertSuccess();

        p.WriteSteps(
            """<Step Include="story" Command="echo one &gt; ${out}" Out="one.txt" />""",
            """<Step Include="story" Command="echo two &gt; ${out}" Out="two.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0001", "Out=\"one.txt\"", "Out=\"two.txt\"");
        r.Check(r.ErrorLine("STEPUP0001")!.Contains("story", StringComparison.Ordinal), "The error should name the step");
        Assert.AreEqual("story\n", p.ReadFile("story.txt"), "An invalid plan removes no earlier output");
        r.Check(!r.Removed("story.txt"), "An invalid plan removes no earlier output");
    }

    [TestMethod]
    public void TwoStepsClaimingOneOutput_STEPUP0002()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Step Include="first" Command="echo 1 &gt; ${out}" Out="same.txt" />""",
            """<Step Include="second" Command="echo 2 &gt; ${out}" Out="same.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0002", "Include=\"first\"", "Include=\"second\"");
        r.Check(r.ErrorLine("STEPUP0002")!.Contains("same.txt", StringComparison.Ordinal), "The error should name the output");
        Assert.IsFalse(p.FileExists("same.txt"));
    }

    [TestMethod]
    public void OutputThatIsAStaticFile_STEPUP0003()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Static Include="user.txt" />""",
            """<Step Include="overwrite" Command="echo overwritten &gt; ${out}" Out="user.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0003", "Include=\"overwrite\"", "<Static Include=\"user.txt\"");
        r.Check(r.ErrorLine("STEPUP0003")!.Contains("user.txt", StringComparison.Ordinal), "The error should name the file");
    }

    [TestMethod]
    public void DependencyCycle_STEPUP0004_NamesBothSteps()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Step Include="chicken" Command="cat ${inp} &gt; ${out}" Inp="egg.txt" Out="chicken.txt" />""",
            """<Step Include="egg" Command="cat ${inp} &gt; ${out}" Inp="chicken.txt" Out="egg.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0004", "Include=\"chicken\"", "Include=\"egg\"");
        var text = string.Join("\n", r.ErrorLines("STEPUP0004"));
        r.Check(text.Contains("chicken", StringComparison.Ordinal) && text.Contains("egg", StringComparison.Ordinal),
            "The cycle error should name both steps");
    }

    [TestMethod]
    public void MissingStaticFile_STEPUP0005()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Static Include="absent.txt" />""",
            """<Step Include="reader" Command="cat ${inp} &gt; ${out}" Inp="absent.txt" Out="copy.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0005", "<Static Include=\"absent.txt\"");
        r.Check(r.ErrorLine("STEPUP0005")!.Contains("absent.txt", StringComparison.Ordinal), "The error should name the file");
    }

    [TestMethod]
    public void OutputOutsideTheProjectRoot_STEPUP0006()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Step Include="escape" Command="echo out &gt; ${out}" Out="../x.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0006", "Include=\"escape\"");
        r.Check(r.ErrorLine("STEPUP0006")!.Contains("x.txt", StringComparison.Ordinal), "The error should name the path");
        Assert.IsFalse(File.Exists(p.PathOf("../x.txt")), "Nothing may be written outside the project root");
    }

    [TestMethod]
    public void EmptyCommand_STEPUP0007()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Step Include="nothing" Command="" Out="nothing.txt" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0007", "Include=\"nothing\"");
        r.Check(r.ErrorLine("STEPUP0007")!.Contains("nothing", StringComparison.Ordinal), "The error should name the step");
    }

    [TestMethod]
    public void InvalidBooleanMetadata_STEPUP0008()
    {
        using var p = NewProject();
        p.WriteSteps(
            """<Step Include="undecided" Command="echo x &gt; ${out}" Out="undecided.txt" Optional="maybe" />""",
            Innocent);
        var r = BuildExpectingPlanError(p, "STEPUP0008", "Include=\"undecided\"");
        r.Check(r.ErrorLine("STEPUP0008")!.Contains("Optional", StringComparison.Ordinal), "The error should name the metadata");
    }
}
