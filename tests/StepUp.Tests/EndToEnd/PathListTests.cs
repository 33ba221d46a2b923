namespace StepUp.Tests.EndToEnd;

/// <summary>Lists of paths keep each path whole, also a path containing ';', from MSBuild and through the step API.</summary>
[TestClass]
public sealed class PathListTests
{
    [TestMethod]
    public void APathWithASemicolon_IsOnePath_InAnItemAndThroughTheApi()
    {
        using var p = new TestProject();
        p.WriteFile("plan.sh", """
            #!/bin/sh
            stepup step --name api --inp 'semi;colon.txt' --out 'api;made.txt' -- 'cat "semi;colon.txt" > "api;made.txt"'

            """);
        p.WriteSteps(
            """<Step Include="item" Command="echo one &gt; ${out}" Out="semi%3Bcolon.txt" />""",
            """<Step Include="plan" Command="sh plan.sh" Planning="true" />""");

        var r = p.Build().AssertSuccess();
        r.Check(r.Ran("item") && r.Ran("api"), "Both steps ran");
        Assert.AreEqual("one\n", p.ReadFile("semi;colon.txt"), "Out=\"semi%3Bcolon.txt\" is the one file semi;colon.txt");
        Assert.AreEqual("one\n", p.ReadFile("api;made.txt"), "`stepup step --out 'api;made.txt'` is the one file api;made.txt, made after its input");
        Assert.IsFalse(p.FileExists("semi") || p.FileExists("colon.txt") || p.FileExists("api") || p.FileExists("made.txt"), "No path was split at its ';'");

        var again = p.Build().AssertSuccess();
        again.Check(again.Skipped("item") && again.Skipped("api"), "Both are up to date the next time");
    }
}
