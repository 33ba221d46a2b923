using System.Runtime.InteropServices;
using StepUp.Protocol;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Protocol;

/// <summary>Which copy of a packed program runs: its ahead-of-time twin for this platform when the package has one, else the portable one.</summary>
[TestClass]
public sealed class ReadyToRunTests
{
    static string ThisPlatform =>
        (OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" + (RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64");

    static string Program(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "");
        return path;
    }

    [TestMethod]
    public void TheTwinOfThisPlatform_IsPreferred()
    {
        using var tools = new TempFolder();
        var portable = Program(Path.Combine(tools.Path, "director"), "StepUp.Director.dll");
        var twin = Program(Path.Combine(tools.Path, "director-" + ThisPlatform), "StepUp.Director.dll");
        Assert.AreEqual(twin, ReadyToRun.Prefer(portable));
    }

    [TestMethod]
    public void WithoutATwinForThisPlatform_ThePortableProgramRuns()
    {
        using var tools = new TempFolder();
        var portable = Program(Path.Combine(tools.Path, "director"), "StepUp.Director.dll");
        // An image compiled for another platform does not even load: never take it.
        Program(Path.Combine(tools.Path, "director-" + (ThisPlatform.EndsWith("x64") ? "linux-arm64" : "linux-x64")), "StepUp.Director.dll");
        Program(Path.Combine(tools.Path, "director-" + ThisPlatform), "Other.dll");
        Assert.AreEqual(portable, ReadyToRun.Prefer(portable));
    }
}
