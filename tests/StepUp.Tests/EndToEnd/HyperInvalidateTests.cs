namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUpInvalidate (reference §9.7) with ducttape's realization globs: the selected realizations
/// and everything downstream run again at the next build, and nothing else does.
/// </summary>
[TestClass]
public sealed class HyperInvalidateTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    // foo: 4 realizations; bar: 8 (Letter x Num); plain: no realization.
    const string Items = """
          <ItemGroup>
            <Step Include="foo" Params="p=(Letter: a b c d)" Out="letter" Command="echo ${p} &gt; ${letter}" />
            <Step Include="bar" Inp="letter=@foo" Params="q=(Num: 1 2)" Out="out" Command="cat ${letter} &gt; ${out}; echo ${q} &gt;&gt; ${out}" />
            <Step Include="plain" Out="plain.txt" Command="echo plain &gt; plain.txt" />
            <Plan Include="all" Reach="bar" Via="(Letter: *) * (Num: *)" />
          </ItemGroup>
        """;

    static BuildResult Invalidate(TestProject p, string selection) =>
        p.Dotnet("build", p.ProjectPath, "-t:StepUpInvalidate", "-tl:off", "-v:n", "-nr:false", "-p:StepUpSelect=" + selection);

    /// <summary>Invalidates, checks what it printed, builds, and checks that exactly those steps ran.</summary>
    static void InvalidateThenBuild(TestProject p, string selection, params string[] expected)
    {
        var invalidated = Invalidate(p, selection).AssertSuccess();
        invalidated.Check(!invalidated.AnyStepStarted, "StepUpInvalidate runs nothing");
        var printed = System.Text.RegularExpressions.Regex.Matches(invalidated.Output, @"(?m)INVALID \u2502 (\S+)").Select(m => m.Groups[1].Value).ToList();
        CollectionAssert.AreEquivalent(expected, printed, $"{selection}: it prints what it invalidated");
        var next = p.Build().AssertSuccess();
        CollectionAssert.AreEquivalent(expected, next.StartedSteps.ToList(), $"{selection}: exactly the selection and downstream run");
        next.Check(next.Skipped("foo/Letter.d") || expected.Contains("foo/Letter.d"), "the others are skipped");
    }

    [TestMethod]
    public void EachGlobForm_RerunsExactlyTheSelectedRealizationsAndDownstream()
    {
        using var p = new TestProject(_home);
        p.WriteProject(Items);
        Assert.AreEqual(13, p.Build().AssertSuccess().StartedSteps.Count);

        InvalidateThenBuild(p, "foo/Letter.b", "foo/Letter.b", "bar/Letter.b", "bar/Letter.b+Num.2");
        InvalidateThenBuild(p, "bar/Letter.*", "bar/Baseline.baseline", "bar/Letter.b", "bar/Letter.c", "bar/Letter.d");
        InvalidateThenBuild(p, "bar/Letter.c+*", "bar/Letter.c", "bar/Letter.c+Num.2");
        InvalidateThenBuild(p, "plain%3Bfoo/Baseline.baseline", "plain", "foo/Baseline.baseline", "bar/Baseline.baseline", "bar/Num.2");
        InvalidateThenBuild(p, "bar/Letter.{b%2Cd}+Num.2", "bar/Letter.b+Num.2", "bar/Letter.d+Num.2");
        var everything = new[] { "plain", "foo/Baseline.baseline", "foo/Letter.b", "foo/Letter.c", "foo/Letter.d",
            "bar/Baseline.baseline", "bar/Letter.b", "bar/Letter.c", "bar/Letter.d", "bar/Num.2", "bar/Letter.b+Num.2", "bar/Letter.c+Num.2", "bar/Letter.d+Num.2" };
        InvalidateThenBuild(p, "*", everything);
    }

    [TestMethod]
    public void ASelectionThatMatchesNothing_Warns_AndAMalformedOneIsAnError()
    {
        using var p = new TestProject(_home);
        p.WriteProject(Items);
        p.Build().AssertSuccess();

        var nothing = Invalidate(p, "foo/Letter.z%3Bnosuch").AssertSuccess();
        var warnings = nothing.WarningLines("STEPUP0430");
        nothing.Check(warnings.Any(l => l.Contains("'foo/Letter.z'", StringComparison.Ordinal)) &&
            warnings.Any(l => l.Contains("'nosuch'", StringComparison.Ordinal)), "a warning names each element that matches nothing");
        var unchanged = p.Build().AssertSuccess();
        unchanged.Check(!unchanged.AnyStepStarted, "nothing was invalidated");

        var malformed = Invalidate(p, "foo/Letter");
        malformed.Check(malformed.ExitCode != 0 && malformed.HasError("STEPUP0431"), "a realization glob part without '.' is an error");
        var missing = p.Dotnet("build", p.ProjectPath, "-t:StepUpInvalidate", "-tl:off", "-v:n", "-nr:false");
        missing.Check(missing.ExitCode != 0 && missing.HasError("STEPUP0431"), "StepUpInvalidate needs StepUpSelect");
        var after = p.Build().AssertSuccess();
        after.Check(!after.AnyStepStarted, "an error invalidates nothing");
    }
}
