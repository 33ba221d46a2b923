using StepUp.Engine.Building;

namespace StepUp.Tests.Engine;

/// <summary>
/// A build whose items and files did not change since a build that checked every step skips without
/// re-hashing; these tests pin the cases where that shortcut must not be taken.
/// </summary>
[TestClass]
public sealed class FastPathTests
{
    [TestMethod]
    public async Task AnInputChangedDuringATargetedBuild_StillRerunsItsStepInTheNextFullBuild()
    {
        using var p = new EngineProject();
        p.Write("x.txt", "one");
        var items = new[]
        {
            Item.Static("x.txt", line: 2),
            Item.Step("x", "cat x.txt > ${out}", line: 3, inp: "x.txt", @out: "x.out"),
            Item.Step("y", "echo y > ${out}", line: 4, @out: "y.out"),
        };
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("x", "y");

        p.Write("x.txt", "two, longer");
        var targeted = (await p.BuildAsync(items, new BuildOptions { Jobs = 2, Targets = ["y.out"] })).AssertSuccess();
        targeted.AssertNotStarted("x");

        // Nothing changed since the targeted build, but that build never checked x.
        var full = (await p.BuildAsync(items)).AssertSuccess();
        full.AssertStarted("x");
        Assert.AreEqual("two, longer", p.Read("x.out"));
    }

    [TestMethod]
    public async Task AStaticFileThatDisappearsUnderAnUnchangedPlan_IsReportedWhereItIsDeclared()
    {
        using var p = new EngineProject();
        p.Write("x.txt", "one");
        var items = new[]
        {
            Item.Static("x.txt", line: 2),
            Item.Step("x", "cat x.txt > ${out}", line: 3, inp: "x.txt", @out: "x.out"),
        };
        (await p.BuildAsync(items)).AssertSuccess();
        File.Delete(p.FullPath("x.txt"));
        var r = await p.BuildAsync(items);
        Assert.IsFalse(r.Summary.Success);
        var error = r.Events.Diagnostics.Single(d => d.Code == "STEPUP0005");
        Assert.AreEqual(2, error.Location.Line);

        p.Write("x.txt", "back");
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("x");
    }

    [TestMethod]
    public async Task AnEnvironmentVariableChange_RerunsItsStepEvenWhenNothingElseChanged()
    {
        using var p = new EngineProject();
        var items = new[] { Item.Step("e", "echo $MODE > ${out}", line: 3, @out: "e.out", env: "MODE") };
        p.Env["MODE"] = "fast";
        (await p.BuildAsync(items)).AssertSuccess();
        (await p.BuildAsync(items)).AssertSuccess().AssertSkipped("e");
        p.Env["MODE"] = "slow";
        (await p.BuildAsync(items)).AssertSuccess().AssertStarted("e");
        Assert.AreEqual("slow", p.Read("e.out").Trim());
    }
}
