using StepUp.Engine.Scheduling;
using StepUp.Engine.Building;
using StepUp.Engine.Graph;
using StepUp.Engine.Storage;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Hyper;

/// <summary>A realization's step variables, name and selection: part of its identity, its hash and its saved row, or not.</summary>
[TestClass]
public sealed class RealizationStepTests
{
    static StepDefinition Realization(string lr = "0.3", bool leftOut = false) => new()
    {
        Key = "train/LR.0.3",
        Label = "train/LR.0.3",
        Command = "echo ${lr}",
        Workdir = "realizations/train/LR.0.3",
        Outputs = ["realizations/train/LR.0.3/model"],
        Variables = new Dictionary<string, string> { ["lr"] = lr, ["model"] = "model" },
        Realization = "LR.0.3",
        LeftOut = leftOut,
    };

    [TestMethod]
    public void VariablesArePartOfTheDefinition_SelectionIsNot()
    {
        Assert.IsTrue(Realization().SameAs(Realization()));
        Assert.IsFalse(Realization().SameAs(Realization(lr: "0.35")), "a changed value is a changed step");
        Assert.IsTrue(Realization().SameAs(Realization(leftOut: true)), "leaving a realization out does not change it");
        var copy = Realization(leftOut: true).WithInputs(["data.txt"]);
        Assert.IsTrue(copy.LeftOut);
        Assert.AreEqual("LR.0.3", copy.Realization);
        Assert.AreEqual("0.3", copy.Variables["lr"]);
    }

    [TestMethod]
    public void VariablesArePartOfTheHash()
    {
        var graph = new ProjectGraph();
        var step = graph.AddStep(Realization());
        var env = new Dictionary<string, string>();
        var before = StepHasher.Compute(step, env);
        step.Definition = Realization(lr: "0.35");
        Assert.AreNotEqual(before, StepHasher.Compute(step, env));
        step.Definition = Realization(leftOut: true);
        Assert.AreEqual(before, StepHasher.Compute(step, env));
    }

    [TestMethod]
    public void TheStoreKeepsVariablesRealizationAndSelection()
    {
        using var root = new TempFolder();
        var graph = new ProjectGraph();
        var step = graph.AddStep(Realization(leftOut: true));
        ProjectGraph.SetCreator(step, graph.Root);
        graph.LinkStep(step);
        using (var store = GraphStore.Open(root.Path)) store.Save(graph);
        using var again = GraphStore.Open(root.Path);
        var loaded = again.Load().FindStep("train/LR.0.3")!.Definition;
        Assert.IsTrue(loaded.SameAs(Realization()));
        Assert.IsTrue(loaded.LeftOut);
        Assert.AreEqual("LR.0.3", loaded.Realization);
        CollectionAssert.AreEquivalent(new[] { "lr", "model" }, loaded.Variables.Keys.ToArray());
        var plain = StepCodec.DecodeDefinition("story", StepCodec.EncodeDefinition(new StepDefinition { Key = "story", Label = "story", Command = "true" }));
        Assert.AreEqual(0, plain.Variables.Count);
        Assert.IsNull(plain.Realization);
        Assert.IsFalse(StepCodec.EncodeDefinition(new StepDefinition { Key = "story", Label = "story", Command = "true" }).Contains("var", StringComparison.Ordinal),
            "a step without variables is saved as before");
    }
}
