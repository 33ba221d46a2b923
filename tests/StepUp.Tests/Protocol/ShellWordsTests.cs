namespace StepUp.Tests.Protocol;

/// <summary>The one word scanner of commands and sbatch options: the same quoting, and operators that matter only in a command.</summary>
[TestClass]
public sealed class ShellWordsTests
{
    [TestMethod]
    public void QuotesKeepSpaces_AndAreRemoved_InBothModes()
    {
        foreach (var firstCommandOnly in new[] { true, false })
        {
            var words = ShellWords.Split(" a\t'b c'  \"d'e\"f\\g ", firstCommandOnly, out var open);
            CollectionAssert.AreEqual(new[] { "a", "b c", "d'ef\\g" }, words, "first command only: " + firstCommandOnly);
            Assert.AreEqual('\0', open);
        }
    }

    [TestMethod]
    public void InACommand_AnOperatorEndsTheWords_AndASubstitutionEndsThemWithoutItsWord()
    {
        CollectionAssert.AreEqual(new[] { "python3", "plan.py" }, ShellWords.Split("python3 plan.py>out.txt; rm x", true, out _));
        CollectionAssert.AreEqual(new[] { "python3" }, ShellWords.Split("python3 dir$X/plan.py", true, out _));
        CollectionAssert.AreEqual(new[] { "echo", "a;b", "$x" }, ShellWords.Split("echo 'a;b' '$x' | wc", true, out _));
    }

    [TestMethod]
    public void InOptionText_OperatorsAndDollarsArePartOfWords()
    {
        CollectionAssert.AreEqual(new[] { "--constraint=ib&avx2", "--comment=$HOME;x" },
            ShellWords.Split("--constraint=ib&avx2 --comment=$HOME;x", false, out _));
    }

    [TestMethod]
    public void AnOpenQuote_IsReported_AndItsWordLeftOut()
    {
        CollectionAssert.AreEqual(new[] { "--a" }, ShellWords.Split("--a --comment='open", false, out var open));
        Assert.AreEqual('\'', open);
        Assert.IsNull(Contract.SplitOptions("--comment=\"open", out var error));
        StringAssert.Contains(error, "unclosed \" quote");
    }
}
