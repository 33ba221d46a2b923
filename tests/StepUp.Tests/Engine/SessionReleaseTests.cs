namespace StepUp.Tests.Engine;

/// <summary>An idle project gives its graph back once: the director logs one line per release.</summary>
[TestClass]
public sealed class SessionReleaseTests
{
    [TestMethod]
    public async Task AReleasedSession_IsNotReleasedAgain_UntilItIsUsed()
    {
        using var p = new EngineProject();
        (await p.BuildAsync(Item.Step("story", "echo story > ${out}", @out: "story.txt"))).AssertSuccess();

        Assert.IsTrue(p.Session.TryRelease(), "the graph of a built project is released");
        Assert.IsFalse(p.Session.TryRelease(), "nothing is left to release: no second 'released' line");

        (await p.BuildAsync(Item.Step("story", "echo story > ${out}", @out: "story.txt"))).AssertNothingRan(1);
        Assert.IsTrue(p.Session.TryRelease(), "after another build there is a graph to release again");
    }
}
