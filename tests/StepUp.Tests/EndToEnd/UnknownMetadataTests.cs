using System.Text.RegularExpressions;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// A misspelled metadata name (Inpt for Inp) is a warning at the item's line naming the closest
/// known name, not a silently stale step; metadata that MSBuild or the project's own item
/// definitions and transforms put on an item is no typo.
/// </summary>
[TestClass]
public sealed class UnknownMetadataTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    /// <summary>Each warning once: MSBuild repeats them in its summary, without the node prefix.</summary>
    static IReadOnlyList<string> Warnings(BuildResult r) =>
        r.WarningLines("STEPUP0020").Select(l => Regex.Replace(l, @"^\s*(\d+>)?", "")).Distinct().ToList();

    static void AssertWarningAt(TestProject p, BuildResult r, string snippet, string misspelled, string meant)
    {
        var name = Regex.Escape(Path.GetFileName(p.ProjectPath));
        var line = p.LineOf(snippet);
        r.Check(Warnings(r).Any(l => Regex.IsMatch(l, name + @"\(" + line + @",\d+\)")
                                     && l.Contains($"'{misspelled}'", StringComparison.Ordinal)
                                     && l.Contains($"did you mean '{meant}'?", StringComparison.Ordinal)),
            $"Expected warning STEPUP0020 at line {line} about '{misspelled}' suggesting '{meant}'; got:\n  " + string.Join("\n  ", Warnings(r)));
    }

    [TestMethod]
    public void MisspelledMetadata_IsAWarningAtTheItemNamingTheClosestName()
    {
        using var p = new TestProject(_home);
        p.WriteFile("in.txt", "one\n");
        p.WriteFile("gen.py", "#!/bin/sh\nexit 0\n", executable: true);
        p.WriteProject("""
              <ItemGroup>
                <Static Include="in.txt" />
                <Step Include="copy" Command="cat in.txt &gt; ${out}" Inpt="in.txt" Out="copy.txt" />
                <Step Include="later" Command="echo later &gt; ${out}" Out="later.txt" Optinal="true" />
                <Step Include="nested" Command="echo nested &gt; ${out}" Out="nested.txt">
                  <Workdr>sub</Workdr>
                </Step>
                <Script Include="gen.py" Enviroment="HOME" />
              </ItemGroup>
            """);
        var r = p.Build().AssertSuccess("Unknown metadata is a warning, not an error");
        AssertWarningAt(p, r, "Inpt=", "Inpt", "Inp");
        AssertWarningAt(p, r, "Optinal=", "Optinal", "Optional");
        AssertWarningAt(p, r, "<Workdr>", "Workdr", "Workdir");
        r.Check(Warnings(r).Any(l => l.Contains("'Enviroment'", StringComparison.Ordinal) && l.Contains("Script", StringComparison.Ordinal)),
            "A <Script> is checked too");
        r.Check(Warnings(r).Count == 4, "One warning per misspelled name; got:\n  " + string.Join("\n  ", Warnings(r)));

        var again = p.Build().AssertSuccess();
        again.Check(Warnings(again).Count == 4, "The warnings stay while the names are wrong, also when nothing runs");
    }

    [TestMethod]
    public void HyperItemsAreChecked_AndMetadataFromMSBuildOrTheProjectIsNot()
    {
        using var p = new TestProject(_home);
        p.WriteProject("""
              <ItemDefinitionGroup>
                <Step>
                  <Owner>data team</Owner>
                </Step>
              </ItemDefinitionGroup>
              <ItemGroup>
                <Seed Include="a;b" Colour="red" />
                <Step Include="@(Seed->'seed-%(Identity)')" Command="echo %(Colour) &gt; ${out}" Out="%(Identity).txt" />
                <Step Include="lower" Command="echo lower &gt; ${out}" out="lower.txt" />
                <Global Include="size" Valeu="(Size: small big)" />
                <Step Include="sized" Command="echo ${n} &gt; ${out}" Params="n=$size" Out="sized.txt" />
                <Plan Include="all" Reech="sized" Via="(Size: *)" />
              </ItemGroup>
            """);
        var r = p.Build();
        AssertWarningAt(p, r, "Valeu=", "Valeu", "Value");
        AssertWarningAt(p, r, "Reech=", "Reech", "Reach");
        r.Check(Warnings(r).Count == 2, "Item definitions, transforms' metadata and a name written in other case are no typos; got:\n  " + string.Join("\n  ", Warnings(r)));
    }

    [TestMethod]
    public void ANameInAnotherCase_IsTheKnownName()
    {
        using var p = new TestProject(_home);
        p.WriteFile("in.txt", "one\n");
        p.WriteSteps(
            """<Static Include="in.txt" />""",
            """<Step Include="copy" Command="cat ${inp} &gt; ${out}" inp="in.txt" OUT="copy.txt" />""");
        var r = p.Build().AssertSuccess("MSBuild's metadata names are case-insensitive, so are StepUp's");
        r.Check(!r.HasWarning("STEPUP0020"), "No warning for a known name in another case");
        Assert.AreEqual("one\n", p.ReadFile("copy.txt"));

        p.WriteFile("in.txt", "two\n");
        p.Build().AssertSuccess();
        Assert.AreEqual("two\n", p.ReadFile("copy.txt"), "The input is tracked: an edit reruns the step");
    }
}
