namespace StepUp.Tests.EndToEnd;

/// <summary>A second OS user for the tests of privacy (created with useradd when missing; needs root on Linux).</summary>
static class OtherUser
{
    public const string Name = "stepupe2e";
    public const string Python = "/usr/bin/python3";

    static readonly Lazy<string?> RunUser = new(Create);

    /// <summary>runuser, once the user exists; marks the test inconclusive where no second user can be had.</summary>
    public static string Require()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Assert.Inconclusive("Needs root on Linux to act as a second user.");
        if (RunUser.Value is not { } runuser)
        {
            Assert.Inconclusive("Needs runuser, useradd and /usr/bin/python3, and a second user " + Name + ".");
            return "";
        }
        return runuser;
    }

    static string? Create()
    {
        var runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists);
        var useradd = new[] { "/usr/sbin/useradd", "/sbin/useradd" }.FirstOrDefault(File.Exists);
        if (runuser == null || useradd == null || !File.Exists(Python)) return null;
        if (Runner.RunTool("id", ["-u", Name], TimeSpan.FromSeconds(10)).ExitCode != 0)
            Runner.RunTool(useradd, ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", Name], TimeSpan.FromSeconds(30));
        return Runner.RunTool("id", ["-u", Name], TimeSpan.FromSeconds(10)).ExitCode == 0 ? runuser : null;
    }

    public static uint Uid => uint.Parse(Runner.RunTool("id", ["-u", Name], TimeSpan.FromSeconds(10)).Output.Trim());

    /// <summary>Runs a Python program as the other user.</summary>
    public static (int ExitCode, string Output) RunPython(string program, params string[] args) =>
        Runner.RunTool(Require(), ["-u", Name, "--", Python, "-c", program, .. args], TimeSpan.FromSeconds(60));

    /// <summary>Makes <paramref name="path"/> the other user's.</summary>
    public static void Own(string path) =>
        Assert.AreEqual(0, Runner.RunTool("chown", [Name, path], TimeSpan.FromSeconds(10)).ExitCode, "chown " + path);
}
