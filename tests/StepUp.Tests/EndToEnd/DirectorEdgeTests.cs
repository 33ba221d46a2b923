using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace StepUp.Tests.EndToEnd;

/// <summary>
/// The director's edge as a user meets it: its keep-alive, truthful errors for bad properties and for
/// endpoints of other users, a package folder it may not write, and a task that fails with a STEPUP
/// error whatever the other side does (never MSB4018, an exception in the task).
/// </summary>
[TestClass]
public sealed class DirectorEdgeTests
{
    const string Story = """<Step Include="story" Command="echo story &gt; ${out}" Out="story.txt" />""";

    static TestProject NewProject(DirectorHome? home = null)
    {
        var p = new TestProject(home);
        p.WriteSteps(Story);
        return p;
    }

    static void Run(string tool, params string[] args)
    {
        var result = Runner.RunTool(tool, args, TimeSpan.FromSeconds(30));
        Assert.AreEqual(0, result.ExitCode, $"{tool} {string.Join(' ', args)}: {result.Output}");
    }

    static void CheckNoTaskException(BuildResult r) =>
        r.Check(!r.Output.Contains("MSB4018", StringComparison.Ordinal), "The task must fail with a STEPUP error, not with an exception (MSB4018)");

    /// <summary>Builds once and stops the director, leaving its folder with the socket's place free.</summary>
    static string FreedSocketPath(TestProject p)
    {
        p.Build().AssertSuccess();
        var socket = RawConnection.SocketOf(p.Home);
        p.Build("-t:StepUpShutdown").AssertSuccess();
        Assert.IsTrue(p.Home.WaitUntilGone(TimeSpan.FromSeconds(15)), "the director should stop");
        Assert.IsFalse(File.Exists(socket), "the director removes its socket when it stops");
        return socket;
    }

    [TestMethod]
    public void KeepAlive_OnlyGrows_ABuildAskingForLessDoesNotEndTheDirector()
    {
        using var p = NewProject();
        p.Build().AssertSuccess();
        var director = p.DirectorPids().Single();

        var r = p.Build("-p:StepUpDirectorIdleTimeout=0").AssertSuccess();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        r.Check(p.DirectorPids().SequenceEqual([director]),
            "A build that asks for an idle timeout of 0 must not end a director that an earlier build asked to keep for 10 minutes");
    }

    [TestMethod]
    [DataRow("NaN")]
    [DataRow("Infinity")]
    [DataRow("1e300")]
    public void AnUnusableIdleTimeout_IsABadPropertyError(string value)
    {
        using var p = NewProject();
        var r = p.Build("-p:StepUpDirectorIdleTimeout=" + value).AssertFailure();
        r.Check(r.HasError(Codes.BadProperty) && r.ErrorLine(Codes.BadProperty)!.Contains("StepUpDirectorIdleTimeout='" + value + "'", StringComparison.Ordinal),
            $"StepUpDirectorIdleTimeout={value} should be reported as a malformed property ({Codes.BadProperty})");
        r.Check(!r.HasError(Codes.DirectorLost), "not as a lost director");
        r.Check(p.DirectorPids().Count == 0, "No director is started for a malformed property");
        CheckNoTaskException(r);
    }

    [TestMethod]
    public void AReadOnlyPackageFolder_StillGivesStepsTheStepupCommand()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            Assert.Inconclusive("Needs root on Linux to mount the package folder read-only.");
        using var p = new TestProject();
        var packages = Path.Combine(p.Base, "packages");
        p.Env["NUGET_PACKAGES"] = packages;
        p.WriteSteps("""<Step Include="tool" Command="stepup --version &gt; ${out}" Out="version.txt" />""");
        p.Dotnet("restore", p.ProjectPath).AssertSuccess();
        var package = Path.Combine(packages, "stepup.sdk", SdkFeed.Version.ToLowerInvariant());
        Assert.IsTrue(Directory.Exists(package), "restore extracts the SDK to " + package);
        if (Runner.RunTool("mount", ["--bind", "-o", "ro", package, package], TimeSpan.FromSeconds(30)).ExitCode != 0)
            Assert.Inconclusive("Cannot bind-mount a folder read-only here.");
        try
        {
            var r = p.Build("--no-restore").AssertSuccess("A build whose SDK package folder is read-only (a CI image filled by root)");
            r.Check(r.Ran("tool"), "The step ran");
            StringAssert.StartsWith(p.ReadFile("version.txt"), "stepup ", "The step found the `stepup` command on its PATH");
        }
        finally
        {
            p.Home.Stop();
            if (Runner.RunTool("umount", [package], TimeSpan.FromSeconds(30)).ExitCode != 0)
                Runner.RunTool("umount", ["-l", package], TimeSpan.FromSeconds(30));
        }
    }

    [TestMethod]
    public void ADirectorFolderOfAnotherUser_IsRefused_NamingIt()
    {
        OtherUser.Require();
        using var home = new DirectorHome();
        Directory.CreateDirectory(home.Dir);
        OtherUser.Own(home.Dir);
        using var p = NewProject(home);

        var r = p.Build().AssertFailure("A build must not use a director folder that another user owns");
        r.Check(r.HasError(Codes.EndpointRefused) && r.ErrorLine(Codes.EndpointRefused)!.Contains(home.Dir, StringComparison.Ordinal),
            $"The error ({Codes.EndpointRefused}) names the folder {home.Dir}");
        r.Check(!r.HasError(Codes.DirectorLost), "not as a lost director");
        r.Check(p.DirectorPids().Count == 0, "No director is started there");
        CheckNoTaskException(r);
    }

    [TestMethod]
    public void ASocketServedByAnotherUser_IsRefusedByBuildAndShutdown_NamingIt()
    {
        var runuser = OtherUser.Require();
        using var p = NewProject();
        var socket = FreedSocketPath(p);

        // Another user takes the socket's place (the folder is opened to let them, then closed again).
        Run("chmod", "777", p.Home.Dir);
        var ready = Path.Combine(p.Home.Dir, "ready");
        const string listen = "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(16)\nopen(sys.argv[2], 'w').close()\nheld = []\nwhile True:\n    held.append(s.accept()[0])\n";
        var psi = new ProcessStartInfo(runuser) { UseShellExecute = false };
        foreach (var arg in new[] { "-u", OtherUser.Name, "--", OtherUser.Python, "-c", listen, socket, ready }) psi.ArgumentList.Add(arg);
        using var theirs = Process.Start(psi)!;
        try
        {
            Assert.IsTrue(TestProject.WaitFor(() => File.Exists(ready) || theirs.HasExited, TimeSpan.FromSeconds(30)) && !theirs.HasExited,
                "The other user's listener should start");
            Run("chmod", "700", p.Home.Dir);

            var build = p.Build().AssertFailure("A build must not send its request to a socket of another user");
            build.Check(build.HasError(Codes.EndpointRefused) && build.ErrorLine(Codes.EndpointRefused)!.Contains(socket, StringComparison.Ordinal)
                && build.ErrorLine(Codes.EndpointRefused)!.Contains("uid " + OtherUser.Uid, StringComparison.Ordinal),
                $"The error ({Codes.EndpointRefused}) names the socket {socket} and its user");
            build.Check(!build.HasError(Codes.DirectorLost), "not as a lost director");
            CheckNoTaskException(build);

            var stop = p.Build("-t:StepUpShutdown").AssertFailure("StepUpShutdown must not talk to a socket of another user");
            stop.Check(stop.HasError(Codes.EndpointRefused), $"StepUpShutdown reports {Codes.EndpointRefused}");
            CheckNoTaskException(stop);
        }
        finally
        {
            theirs.Kill();
        }
    }

    [TestMethod]
    public void ThePeerCheck_RefusesAnotherUser_EvenWhenTheFolderIsNotPrivate()
    {
        OtherUser.Require();
        using var p = NewProject();
        p.Build().AssertSuccess();
        var director = p.DirectorPids().Single();
        var socket = RawConnection.SocketOf(p.Home);

        // Someone opened the folder and the socket: only the director's own check of the peer's user is left.
        Run("chmod", "755", p.Home.Dir);
        Run("chmod", "666", socket);
        const string shutdown = """
            import socket, struct, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            body = b'{"type":"shutdown","protocol":1}'
            try:
                s.sendall(struct.pack('<I', len(body)) + body)
                data = s.recv(65536)
            except OSError:
                data = b''
            print('answer: ' + data.decode('utf-8', 'replace') if data else 'closed')

            """;
        var theirs = OtherUser.RunPython(shutdown, socket);
        Assert.AreEqual(0, theirs.ExitCode, "The other user reaches the socket: " + theirs.Output);
        StringAssert.Contains(theirs.Output, "closed", "The director must close a connection of another user without serving it");
        CollectionAssert.AreEqual(new[] { director }, p.DirectorPids().ToList(), "The director did not shut down for another user");
        StringAssert.Contains(File.ReadAllText(Directory.GetFiles(p.Home.Dir, "d-*.log").Single()), "refused a connection from uid " + OtherUser.Uid);

        Run("chmod", "700", p.Home.Dir);
        var again = p.Build().AssertSuccess("The director's own user builds on");
        again.Check(p.DirectorPids().SequenceEqual([director]), "with the same director");
    }

    [TestMethod]
    public void AnAnswerTheTaskCannotRead_IsASTEPUPError()
    {
        using var p = NewProject();
        var socket = FreedSocketPath(p);
        using var fake = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        fake.Bind(new UnixDomainSocketEndPoint(socket));
        fake.Listen(16);
        var garbage = Encoding.UTF8.GetBytes("{this is not JSON");
        _ = Task.Run(() =>
        {
            var held = new List<Socket>();
            try
            {
                while (true)
                {
                    var client = fake.Accept();
                    held.Add(client);
                    client.Send([(byte)garbage.Length, 0, 0, 0]);
                    client.Send(garbage);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            foreach (var client in held) client.Dispose();
        });

        var build = p.Build().AssertFailure();
        build.Check(build.HasError(Codes.MalformedAnswer), $"An unreadable answer is reported as {Codes.MalformedAnswer}");
        CheckNoTaskException(build);
        var stop = p.Build("-t:StepUpShutdown").AssertFailure();
        stop.Check(stop.HasError(Codes.MalformedAnswer), $"StepUpShutdown reports {Codes.MalformedAnswer} too");
        CheckNoTaskException(stop);
    }
}
