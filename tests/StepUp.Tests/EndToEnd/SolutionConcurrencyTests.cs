namespace StepUp.Tests.EndToEnd;

/// <summary>
/// Several .stepproj projects built at once by one `dotnet build -m` share one director: their steps
/// run concurrently, and together never more at once than the largest StepUpJobs; planning steps,
/// which may wait for the steps they define, count against their own project's jobs only.
/// </summary>
[TestClass]
public sealed class SolutionConcurrencyTests
{
    // Each step marks itself running, records how many steps run with it, optionally waits until a
    // partner step from the other project runs too (which proves the projects overlap), then ends.
    const string StepScript = """
        #!/bin/sh
        name=$1; partner=$2; shared=$3
        mkdir -p "$shared/running" "$shared/started"
        touch "$shared/running/$name" "$shared/started/$name"
        echo "$name $(ls "$shared/running" | wc -l)" >> "$shared/concurrency.log"
        if [ -n "$partner" ]; then
          i=0
          while [ ! -e "$shared/started/$partner" ]; do
            i=$((i+1)); [ $i -gt 400 ] && { rm "$shared/running/$name"; echo "$partner never started" >&2; exit 1; }
            sleep 0.05
          done
        fi
        sleep 0.3
        rm "$shared/running/$name"
        echo done > "$name.txt"

        """;

    static string Steps(string first, string partner, string second, string shared) => $"""
          <ItemGroup>
            <Step Include="{first}" Command="sh ../step.sh {first} {partner} {shared}" Out="{first}.txt" />
            <Step Include="{second}" Command="sh ../step.sh {second} '' {shared}" Out="{second}.txt" />
          </ItemGroup>
        """;

    [TestMethod]
    public void TwoProjectsInOneSolution_OverlapWithinTheLargestJobs()
    {
        using var a = new TestProject(projectFile: "a/a.stepproj");
        var shared = Path.Combine(a.Base, "shared");
        File.WriteAllText(Path.Combine(a.Base, "step.sh"), StepScript.Replace("\r", ""));
        a.WriteProject(Steps("a1", "b1", "a2", shared));
        var bPath = Path.Combine(a.Base, "b", "b.stepproj");
        Directory.CreateDirectory(Path.GetDirectoryName(bPath)!);
        File.WriteAllText(bPath, $"<Project Sdk=\"{a.SdkReference}\">\n{Steps("b1", "a1", "b2", shared)}</Project>\n");

        a.DotnetIn(a.Base, "new", "sln", "-n", "Both", "--format", "sln", "--no-update-check").AssertSuccess();
        var solution = Path.Combine(a.Base, "Both.sln");
        a.DotnetIn(a.Base, "sln", solution, "add", a.ProjectPath, bPath).AssertSuccess();

        var build = a.DotnetIn(a.Base, "build", solution, "-m:2", "-nr:false", "-tl:off", "-v:n", "-p:StepUpJobs=2").AssertSuccess(
            "Both projects build; a1 and b1 each wait for the other, so they must run at the same time");
        foreach (var step in new[] { "a1", "a2", "b1", "b2" })
            build.Check(build.Succeeded(step), step + " should succeed");

        var counts = File.ReadAllLines(Path.Combine(shared, "concurrency.log"));
        Assert.AreEqual(4, counts.Length, string.Join("\n", counts));
        foreach (var line in counts)
        {
            var running = int.Parse(line.Split(' ')[1]);
            Assert.IsTrue(running <= 2, $"At most 2 steps (the largest StepUpJobs) may run at once across both projects:\n{string.Join("\n", counts)}");
        }
    }

    // A plan that first meets the other project's plan (so both plans run at once), then defines a
    // step and waits for that step's output, as a plan.py may wait for what it asked for.
    const string WaitingPlanScript = """
        #!/bin/sh
        me=$1; other=$2; shared=$3
        mkdir -p "$shared"
        touch "$shared/plan-$me"
        i=0
        while [ ! -e "$shared/plan-$other" ]; do
          i=$((i+1)); [ $i -gt 600 ] && { echo "the plan of $other never started" >&2; exit 1; }
          sleep 0.05
        done
        stepup step --name "work-$me" --out work.txt -- 'echo done > work.txt' || exit 1
        i=0
        while [ ! -e work.txt ]; do
          i=$((i+1)); [ $i -gt 600 ] && { echo "work-$me never ran while its plan waited" >&2; exit 1; }
          sleep 0.05
        done
        echo "plan of $me saw its step's output"

        """;

    [TestMethod]
    public void TwoProjectsWhosePlansWaitForTheirOwnSteps_BothFinish()
    {
        using var a = new TestProject(projectFile: "a/a.stepproj");
        var shared = Path.Combine(a.Base, "shared");
        File.WriteAllText(Path.Combine(a.Base, "plan.sh"), WaitingPlanScript.Replace("\r", ""));
        static string Plan(string me, string other, string shared) =>
            $"  <ItemGroup>\n    <Step Include=\"plan\" Planning=\"true\" Command=\"sh ../plan.sh {me} {other} {shared}\" />\n  </ItemGroup>\n";
        a.WriteProject(Plan("a", "b", shared));
        var bPath = Path.Combine(a.Base, "b", "b.stepproj");
        Directory.CreateDirectory(Path.GetDirectoryName(bPath)!);
        File.WriteAllText(bPath, $"<Project Sdk=\"{a.SdkReference}\">\n{Plan("b", "a", shared)}</Project>\n");

        a.DotnetIn(a.Base, "new", "sln", "-n", "Plans", "--format", "sln", "--no-update-check").AssertSuccess();
        var solution = Path.Combine(a.Base, "Plans.sln");
        a.DotnetIn(a.Base, "sln", solution, "add", a.ProjectPath, bPath).AssertSuccess();

        var build = a.DotnetIn(a.Base, "build", solution, "-m:2", "-nr:false", "-tl:off", "-v:n", "-p:StepUpJobs=2").AssertSuccess(
            "Both plans run at once and each waits for the step it defined: the two plans must not take the two shared slots from those steps");
        foreach (var step in new[] { "plan", "work-a", "work-b" })
            build.Check(build.Succeeded(step), step + " should succeed");
        Assert.AreEqual("done\n", File.ReadAllText(Path.Combine(a.Base, "a", "work.txt")));
        Assert.AreEqual("done\n", File.ReadAllText(Path.Combine(a.Base, "b", "work.txt")));
    }
}
