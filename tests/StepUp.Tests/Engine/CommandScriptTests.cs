using StepUp.Engine.Planning;

namespace StepUp.Tests.Engine;

/// <summary>Which word of a command names the program file that the step depends on.</summary>
[TestClass]
public sealed class CommandScriptTests
{
    [TestMethod]
    [DataRow("./plan.py", "./plan.py", false)]
    [DataRow("tools/run --fast", "tools/run", false)]
    [DataRow("python3 plan.py", "plan.py", true)]
    [DataRow("python3.12 -u plan.py arg", "plan.py", true)]
    [DataRow("/usr/bin/python3 -W ignore plan.py", "plan.py", true)]
    [DataRow("env FOO=1 python3 'my plan.py'", "my plan.py", true)]
    [DataRow("LANG=C bash -e make.sh > out.txt", "make.sh", true)]
    [DataRow("dotnet run app.cs", "app.cs", true)]
    [DataRow("Rscript fit.R; echo done", "fit.R", true)]
    public void FindsTheProgramFile(string command, string word, bool interpreted) =>
        Assert.AreEqual((word, interpreted), CommandScript.Find(command));

    [TestMethod]
    [DataRow("cat in.txt > out.txt")]
    [DataRow("python3 -c 'print(1)'")]
    [DataRow("python3 -m pytest tests")]
    [DataRow("sh -c './x.sh'")]
    [DataRow("perl -e 'print 1'")]
    [DataRow("dotnet run --project tool/tool.csproj")]
    [DataRow("python3 $SCRIPT")]
    [DataRow("python3")]
    public void FindsNoFile_WhenTheProgramIsOnPathOrInline(string command) =>
        Assert.IsNull(CommandScript.Find(command));
}
