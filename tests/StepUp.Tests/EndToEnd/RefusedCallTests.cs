namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A refused `step` or `amend` call (a collision, a static file as output, a cycle) is a STEPUP error
/// of the build at the item of the step that made the call, naming the steps, not only a message in
/// that step's standard error.
/// </summary>
[TestClass]
public sealed class RefusedCallTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    [TestMethod]
    public void StepCall_ThatCollides_IsAnErrorAtThePlanningStepsItem()
    {
        using var p = new TestProject(_home);
        p.WriteSteps(
            """<Step Include="maker" Command="echo made &gt; ${out}" Out="made.txt" />""",
            """<Step Include="plan" Planning="true" Command="stepup step --name thief --out made.txt -- 'echo stolen &gt; made.txt'" />""");

        var r = p.Build().AssertFailure("The refused definition fails the build");
        p.AssertErrorAt(r, "STEPUP0121", p.LineOf("Include=\"plan\""));
        var error = r.ErrorLine("STEPUP0121")!;
        r.Check(error.Contains("Step 'plan' called step", StringComparison.Ordinal) && error.Contains("'thief'", StringComparison.Ordinal)
            && error.Contains("'maker'", StringComparison.Ordinal), "The error names the calling step and both steps of the collision: " + error);
    }

    [TestMethod]
    public void AmendCall_ThatMakesAStaticFileAnOutput_IsAnErrorAtTheStepsItem()
    {
        using var p = new TestProject(_home);
        p.WriteFile("data.txt", "mine\n");
        p.WriteSteps(
            """<Static Include="data.txt" />""",
            """<Step Include="grabber" Command="stepup amend --out data.txt; echo done &gt; ${out}" Out="grabbed.txt" />""");

        var r = p.Build().AssertFailure("The refused amendment fails the build");
        p.AssertErrorAt(r, "STEPUP0120", p.LineOf("Include=\"grabber\""));
        var error = r.ErrorLine("STEPUP0120")!;
        r.Check(error.Contains("Step 'grabber' called amend", StringComparison.Ordinal) && error.Contains("data.txt", StringComparison.Ordinal),
            "The error names the step and the static file: " + error);
        Assert.AreEqual("mine\n", p.ReadFile("data.txt"), "The static file is untouched");
    }
}
