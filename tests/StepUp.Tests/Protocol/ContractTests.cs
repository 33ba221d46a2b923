namespace StepUp.Tests.Protocol;

/// <summary>The one reading of the StepUp* property syntaxes that the task, the director and the planner share.</summary>
[TestClass]
public sealed class ContractTests
{
    static string Show(Dictionary<string, int>? units) =>
        units == null ? "error" : string.Join(";", units.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + p.Value));

    [TestMethod]
    [DataRow("", "")]
    [DataRow("gpu", "gpu:1")]
    [DataRow("gpu:1", "gpu:1")]
    [DataRow(" gpu : 2 ; mem:4,", "gpu:2;mem:4")]
    [DataRow("gpu,transform:0", "gpu:1;transform:0")]
    [DataRow("gpu:x", "error")]
    [DataRow(":1", "error")]
    [DataRow("gpu:-1", "error")]
    [DataRow("gpu:1.5", "error")]
    [DataRow("gpu:99999999999", "error")]
    [DataRow("gpu;gpu:2", "error")]
    public void Resources(string text, string expected)
    {
        var units = Contract.ParseResources(text, out var error);
        Assert.AreEqual(expected, Show(units));
        Assert.AreEqual(expected == "error", error != null, error);
    }

    [TestMethod]
    [DataRow("", true, Contract.DefaultIdleTimeoutMinutes)]
    [DataRow("0", true, 0.0)]
    [DataRow("0.02", true, 0.02)]
    [DataRow(" 60 ", true, 60.0)]
    [DataRow("525600", true, 525600.0)]
    [DataRow("525601", false, 0.0)]
    [DataRow("NaN", false, 0.0)]
    [DataRow("Infinity", false, 0.0)]
    [DataRow("-Infinity", false, 0.0)]
    [DataRow("1e300", false, 0.0)]
    [DataRow("-1", false, 0.0)]
    [DataRow("ten", false, 0.0)]
    public void IdleTimeout(string text, bool valid, double minutes)
    {
        Assert.AreEqual(valid, Contract.TryParseIdleTimeout(text, out var parsed), text);
        if (valid) Assert.AreEqual(minutes, parsed);
    }

    [TestMethod]
    public void Jobs()
    {
        Assert.IsTrue(Contract.TryParseJobs("", out var jobs));
        Assert.AreEqual(Environment.ProcessorCount, jobs);
        Assert.IsTrue(Contract.TryParseJobs("3", out jobs));
        Assert.AreEqual(3, jobs);
        foreach (var bad in new[] { "0", "-2", "two", "1.5", "99999999999" })
            Assert.IsFalse(Contract.TryParseJobs(bad, out _), bad);
    }

    [TestMethod]
    public void Lists_SplitAsMSBuildDoes_AndAnEscapedElementStaysWhole()
    {
        CollectionAssert.AreEqual(new[] { "a.txt", "b c.txt" }, Contract.SplitList(" a.txt ;; b c.txt ;"));
        CollectionAssert.AreEqual(new[] { "a;b.txt", "100%.txt", "50%" }, Contract.SplitList("a%3Bb.txt;100%25.txt;50%"));
    }
}
