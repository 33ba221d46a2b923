using StepUp.Engine.Hyper;
using StepUp.Engine.Planning;

namespace StepUp.Tests.Hyper;

/// <summary>The value language of reference §9.2, parsed into its syntax tree.</summary>
[TestClass]
public sealed class ValueParserTests
{
    static EntrySpec One(string text, EntryKind kind = EntryKind.Param) => ValueParser.ParseEntries(text, kind).Single();

    [TestMethod]
    public void Entries_NamedBareAndEmpty()
    {
        var inputs = ValueParser.ParseEntries(" a=x.txt ; data/b.txt;;c = \"with space\" ", EntryKind.Input);
        Assert.AreEqual(3, inputs.Count);
        Assert.AreEqual("a", inputs[0].Name);
        Assert.AreEqual("x.txt", ((LiteralValue)inputs[0].Value).Text);
        Assert.IsNull(inputs[1].Name, "a bare input is unnamed");
        Assert.AreEqual("data/b.txt", ((LiteralValue)inputs[1].Value).Text);
        Assert.AreEqual("with space", ((LiteralValue)inputs[2].Value).Text);
        var outputs = ValueParser.ParseEntries("out;model.bin;m=model/x.bin", EntryKind.Output);
        CollectionAssert.AreEqual(new[] { "out", null, "m" }, outputs.Select(o => o.Name).ToArray(), "a bare output that is a legal name is named by itself");
        Assert.IsFalse(outputs[0].Explicit);
        Assert.IsTrue(outputs[2].Explicit);
    }

    [TestMethod]
    public void SemicolonsInsideQuotesAndBranchPoints_DoNotSplit()
    {
        var entries = ValueParser.ParseEntries("a='x;y';b=(B: p=1 q=2)", EntryKind.Param);
        Assert.AreEqual("x;y", ((LiteralValue)entries[0].Value).Text);
        Assert.AreEqual(2, ((BranchPointValue)entries[1].Value).Branches.Count);
    }

    [TestMethod]
    public void BranchPoints_NamedAnonymousNested()
    {
        var bp = (BranchPointValue)One("in=(DevOrTest: dev=(DevFold: d1 d2) test=(TestFold: t1=x t2=y))").Value;
        Assert.AreEqual("DevOrTest", bp.Name);
        CollectionAssert.AreEqual(new[] { "dev", "test" }, bp.Branches.Select(b => b.Name).ToArray());
        var dev = (BranchPointValue)bp.Branches[0].Value;
        CollectionAssert.AreEqual(new[] { "d1", "d2" }, dev.Branches.Select(b => b.Name).ToArray());
        Assert.AreEqual("d2", ((LiteralValue)dev.Branches[1].Value).Text);
        var anon = (BranchPointValue)One("x=(A: (B: 1 2) $g @t $v@u)").Value;
        CollectionAssert.AreEqual(new[] { "B", "g", "x", "v" }, anon.Branches.Select(b => b.Name).ToArray(), "anonymous branches are named by their value");
        var multiline = (BranchPointValue)One("x=(\n  Test:\n  baseline=1\n  mt02=2\n)").Value;
        Assert.AreEqual(2, multiline.Branches.Count);
    }

    [TestMethod]
    public void References_ShorthandsGlobalsAndGrafts()
    {
        var r = (ReferenceValue)One("in=$out@t1[B:b,X:*]", EntryKind.Input).Value;
        Assert.AreEqual("out", r.Entry);
        Assert.AreEqual("t1", r.Step);
        CollectionAssert.AreEqual(new[] { "B:b", "X:*" }, r.Graft!.Terms.Select(t => t.ToString()).ToArray());
        Assert.IsTrue(r.Graft.Terms[1].IsGlob);
        var braced = (ReferenceValue)One("in=${out}@t2-zee", EntryKind.Input).Value;
        Assert.AreEqual("t2-zee", braced.Step);
        var shorthand = (ReferenceValue)One("model=@learn[Data:train]", EntryKind.Input).Value;
        Assert.IsNull(shorthand.Entry);
        Assert.AreEqual("learn", shorthand.Step);
        var global = (GlobalValue)One("x=$var[X:x1]").Value;
        Assert.AreEqual("var", global.Name);
        Assert.AreEqual("X:x1", global.Graft!.Terms.Single().ToString());
        var same = (GlobalValue)One("foo=@").Value;
        Assert.IsNull(same.Name);
    }

    [TestMethod]
    public void Sequences_AreExpandedWithExactDecimals()
    {
        CollectionAssert.AreEqual(new[] { "0.1", "0.3", "0.5" }, DecimalSequence.Expand("0.1..0.5..0.2", 0));
        CollectionAssert.AreEqual(new[] { "1", "5", "9" }, DecimalSequence.Expand("1..10..4", 0));
        CollectionAssert.AreEqual(new[] { "5", "6", "7" }, DecimalSequence.Expand("5..7", 0));
        CollectionAssert.AreEqual(new[] { "1", "1.5", "2.0" }, DecimalSequence.Expand("1..2..0.5", 0), "the scale exact addition gives, as ducttape's BigDecimal");
        CollectionAssert.AreEqual(new[] { "-1", "0", "1" }, DecimalSequence.Expand("-1..1", 0));
        Assert.AreEqual(100_000, DecimalSequence.Expand("1..100000", 0).Count);
        var bp = (BranchPointValue)One("t=(WhichTrial: 1..10)").Value;
        Assert.IsTrue(bp.IsSequence);
        Assert.AreEqual(10, bp.Branches.Count);
        Assert.IsFalse(DecimalSequence.Looks("1..x"));
        Assert.IsFalse(DecimalSequence.Looks("1."));
    }

    [TestMethod]
    public void Errors_CarryTheOffset()
    {
        HyperSyntaxException Fails(string text, EntryKind kind = EntryKind.Param) =>
            Assert.ThrowsExactly<HyperSyntaxException>(() => ValueParser.ParseEntries(text, kind));
        Assert.AreEqual(3, Fails("n=a+b").Offset);
        Assert.AreEqual(Codes.BadValue, Fails("n=a+b").Code);
        Assert.AreEqual(Codes.UnnamedValue, Fails("(B: a b)", EntryKind.Input).Code);
        Assert.AreEqual(Codes.EmptyValue, Fails("a= ;b=1").Code);
        Assert.AreEqual(Codes.BadValue, Fails("a='open").Code);
        Assert.AreEqual(Codes.BadValue, Fails("a=x y").Code, "a value with spaces needs quotes");
        Assert.AreEqual(Codes.BadValue, Fails("a=$out@t[B:b,B:c]").Code);
        Assert.AreEqual(Codes.BadSequence, Fails("a=(S: 1..2..-1)").Code);
        Assert.AreEqual(Codes.BadValue, Fails("a=(S:)").Code);
        Assert.AreEqual(5, Fails("abc=(1 2)").Offset, "where the name should be");
    }
}

/// <summary>Realization maps and canonical names (research/ducttape.md §2.2).</summary>
[TestClass]
public sealed class RealizationNameTests
{
    static BranchPointRegistry Registry(params string[] values)
    {
        var registry = new BranchPointRegistry();
        var problems = new List<Diagnostic>();
        var origin = new ValueOrigin(StepUp.Engine.Graph.SourceLocation.None, "Params", 0, "test");
        foreach (var value in values)
            registry.Register((BranchPointValue)ValueParser.ParseEntries("x=" + value, EntryKind.Param).Single().Value, origin, (_, c, m) => Diagnostic.Error(c, m), problems);
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems.Select(p => p.Message)));
        return registry;
    }

    [TestMethod]
    public void Canonical_DropsBaselines_SortsOrdinally()
    {
        var registry = Registry("(N: one two)", "(M: 1..10)", "(a: x y)");
        int Bp(string name) => registry.Find(name)!.Value;
        var map = BranchMap.Of(new[] { (Bp("N"), 1), (Bp("M"), 1), (Bp("a"), 1) });
        Assert.AreEqual("M.2+N.two+a.y", RealizationName.Canonical(map, registry));
        Assert.AreEqual("Baseline.baseline", RealizationName.Canonical(BranchMap.Of(new[] { (Bp("N"), 0) }), registry));
        Assert.AreEqual(map.Only(bp => map.Get(bp) != 0), RealizationName.Parse("M.2+N.two+a.y", registry));
        Assert.AreEqual(BranchMap.Empty, RealizationName.Parse("Baseline.baseline", registry));
        Assert.IsNull(RealizationName.Parse("M.11", registry), "a branch that no longer exists");
        Assert.IsNull(RealizationName.Parse("K.new", registry), "a branch point that no longer exists");
    }

    [TestMethod]
    public void Folder_IsTheMd5OfANameOver250Characters()
    {
        var name = new string('x', 250);
        Assert.AreEqual(name, RealizationName.Folder(name));
        var longer = name + "y";
        Assert.AreEqual(Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(longer))), RealizationName.Folder(longer));
    }

    [TestMethod]
    public void BranchMaps_MergeAgreeingMaps_RejectConflicts()
    {
        var a = BranchMap.Of(new[] { (0, 1), (2, 0) });
        var b = BranchMap.Of(new[] { (1, 3), (2, 0) });
        var merged = a.Merge(b)!;
        Assert.AreEqual(3, merged.Count);
        Assert.AreEqual(3, merged.Get(1));
        Assert.IsNull(a.Merge(BranchMap.Of(new[] { (2, 1) })));
        Assert.AreEqual(BranchMap.Of(new[] { (0, 1) }), merged.Without(new[] { 1, 2 }));
        Assert.IsTrue(merged.Contains(a));
        Assert.AreEqual(merged, b.Merge(a));
        Assert.AreEqual(merged.GetHashCode(), b.Merge(a)!.GetHashCode());
    }

    [TestMethod]
    public void Registry_UnionOfSequences_SameBaselineRequired()
    {
        var registry = Registry("(Fold: 1..4)", "(Fold: 1..8)");
        Assert.AreEqual(8, registry.Branches(registry.Find("Fold")!.Value).Count);
        var problems = new List<Diagnostic>();
        var origin = new ValueOrigin(StepUp.Engine.Graph.SourceLocation.None, "Params", 0, "test");
        registry.Register((BranchPointValue)ValueParser.ParseEntries("x=(Fold: 2..4)", EntryKind.Param).Single().Value, origin, (_, c, m) => Diagnostic.Error(c, m), problems);
        Assert.AreEqual(Codes.InconsistentBranchPoint, problems.Single().Code);
        var byValue = Registry("(Size: small=s.txt big=b.txt)");
        CollectionAssert.AreEqual(new[] { 1 }, byValue.FindBranchByNameOrValue(0, "b.txt").ToArray(), "a branch may be named by its value");
        CollectionAssert.AreEqual(new[] { 0 }, byValue.FindBranchByNameOrValue(0, "small").ToArray());
    }
}
