using System.Reflection;
using System.Text.RegularExpressions;

namespace StepUp.Tests.Protocol;

/// <summary>Codes.cs and docs/errors.md name the same codes, each with one meaning.</summary>
[TestClass]
public sealed class CodesTests
{
    static readonly IReadOnlyList<(string Name, string Code)> Constants =
        typeof(Codes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!))
            .ToList();

    static IReadOnlyList<string> DocumentedCodes()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "StepUp.Sdk.sln"))) dir = dir.Parent;
        Assert.IsNotNull(dir, "the repository root");
        var table = File.ReadAllLines(Path.Combine(dir.FullName, "docs", "errors.md"));
        return table.Select(line => Regex.Match(line, @"^\|\s*(STEPUP\d{4})\s*\|")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
    }

    [TestMethod]
    public void EveryCodeIsDocumented_AndEveryDocumentedCodeExists()
    {
        var documented = DocumentedCodes();
        var defined = Constants.Select(c => c.Code).ToList();
        CollectionAssert.AreEquivalent(defined, documented.ToList(),
            "codes only in Codes.cs: " + string.Join(", ", defined.Except(documented)) + "; only in docs/errors.md: " + string.Join(", ", documented.Except(defined)));
    }

    [TestMethod]
    public void EachCodeHasOneName()
    {
        foreach (var group in Constants.GroupBy(c => c.Code).Where(g => g.Count() > 1))
            Assert.Fail($"{group.Key} means several things: {string.Join(", ", group.Select(c => c.Name))}");
    }
}
