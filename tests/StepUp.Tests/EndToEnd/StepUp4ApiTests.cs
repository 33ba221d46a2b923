namespace StepUp.Tests.EndToEnd;

/// <summary>
/// StepUp 4's API from a plan.py planning step of a .stepproj, through the director: run() without
/// a shell (VAR=value, a local Python script as input and through the launcher, nothing expanded),
/// glob() whose new match plans again, and hold().
/// </summary>
[TestClass]
public sealed class StepUp4ApiTests
{
    static DirectorHome _home = null!;

    [ClassInitialize]
    public static void ClassInit(TestContext context) => _home = new DirectorHome();

    [ClassCleanup]
    public static void ClassDone() => _home?.Dispose();

    const string PlanStep = """<Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />""";

    [TestMethod]
    public void Run_WithoutAShell_GlobAndHold_ThroughPlanPy()
    {
        PythonSteps.Require();
        using var p = new TestProject(_home);
        p.WriteFile("data/a.txt", "alpha\n");
        p.WriteFile("upper.py", """
            #!/usr/bin/env python3
            import os, sys
            with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
                dst.write("%s %s %s|%s" % (os.environ["MARK"], os.environ["HERE"], sys.argv[3], src.read().upper()))

            """, executable: true);
        p.WriteFile("plan.py", """
            #!/usr/bin/env python3
            from stepup.core.api import glob, hold, run, static

            static("upper.py")
            with hold():
                for match in glob("data/${*name}.txt"):
                    static(match.files)
                    run("MARK=x ./upper.py %s out/%s.txt '$HOME'" % (match.files, match.name),
                        inp=[match.files], out=["out/%s.txt" % match.name])

            """, executable: true);
        p.WriteSteps(PlanStep);

        var cold = p.Build().AssertSuccess();
        const string stepA = "./upper.py data/a.txt out/a.txt '$HOME'";
        cold.Check(cold.Ran(stepA), "run() defines the step, labelled by its command without the VAR=value prefix");
        Assert.AreEqual("x . $HOME|ALPHA\n", p.ReadFile("out/a.txt"), "The override is set, HERE is the workdir, and no shell expanded $HOME");

        var warm = p.Build().AssertSuccess();
        warm.Check(!warm.AnyStepStarted, "Nothing changed: no step should start");

        p.WriteFile("upper.py", p.ReadFile("upper.py").Replace("%s %s %s|", "%s %s %s:"), executable: true);
        var edited = p.Build().AssertSuccess();
        edited.Check(edited.Ran(stepA) && !edited.Ran("plan"), "The local program is an input of its step");
        Assert.AreEqual("x . $HOME:ALPHA\n", p.ReadFile("out/a.txt"));

        p.WriteFile("data/b.txt", "beta\n");
        var added = p.Build().AssertSuccess();
        added.Check(added.Ran("plan"), "A new match of the glob() pattern makes plan.py plan again");
        Assert.AreEqual("x . $HOME:BETA\n", p.ReadFile("out/b.txt"));
    }
}
