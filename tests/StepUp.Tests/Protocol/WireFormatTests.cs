using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using StepUp.Protocol;

namespace StepUp.Tests.Protocol;

/// <summary>
/// Every message kind's JSON to the byte, field order included, and read back to the same bytes: the
/// Python client and older directors read these frames, so a renamed, reordered, dropped or newly
/// sent field, or a reader that falls back to another default, is a break of the protocol.
/// </summary>
[TestClass]
public sealed class WireFormatTests
{
    const string Step = "{\"type\":\"api.step\",\"protocol\":1,\"token\":\"t\"";

    static string Text(byte[] frame) => Encoding.UTF8.GetString(frame);
    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The message's frame is <paramref name="json"/>, and so is the frame of the message read from it.</summary>
    static void AssertWire(string json, Message sent, Func<byte[], Message> read)
    {
        Assert.AreEqual(json, Text(sent.ToFrame()), "as sent");
        var received = read(Utf8(json));
        Assert.AreEqual(sent.GetType(), received.GetType());
        Assert.AreEqual(json, Text(received.ToFrame()), "as read");
    }

    static void AssertRequest(string json, Request sent) => AssertWire(json, sent, Messages.ReadRequest);
    static void AssertEvent(string json, Message sent) => AssertWire(json, sent, Messages.ReadEvent);
    static void AssertAnswer(string json, Message sent, StepCall call) => AssertWire(json, sent, frame => Messages.ReadStepAnswer(frame, call));

    /// <summary>What a frame reads as, written again: the defaults of the fields it leaves out.</summary>
    static string Reread(string json, Func<byte[], Message> read) => Text(read(Utf8(json)).ToFrame());

    [TestMethod]
    public void ProjectRequests()
    {
        AssertRequest(
            "{\"type\":\"build\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":0.5,\"transient\":true,\"env\":{\"HOME\":\"/root\"},\"jobs\":3," +
            "\"keepGoing\":true,\"clean\":false,\"targets\":[\"a;b\",\"c\"],\"resources\":{\"gpu\":1},\"explainRerun\":true,\"list\":true,\"attic\":true," +
            "\"invalidate\":[\"r/*\"],\"executor\":\"slurm\",\"slurmOptions\":\"-p x\",\"slurmMaxJobs\":7,\"dryRun\":true,\"itemsFollow\":true,\"watch\":true," +
            "\"progressSeconds\":1.5,\"heartbeatSeconds\":2,\"stepLines\":false,\"deferCap\":4}",
            new BuildProjectRequest
            {
                Root = "/w/p", IdleTimeoutMinutes = 0.5, Transient = true, Environment = { ["HOME"] = "/root" }, Jobs = 3, KeepGoing = true, Clean = false,
                Targets = ["a;b", "c"], Resources = { ["gpu"] = 1 }, ExplainRerun = true, List = true, Attic = true, Invalidate = ["r/*"],
                Executor = "slurm", SlurmOptions = "-p x", SlurmMaxJobs = 7, DryRun = true, ItemsFollow = true, Watch = true,
                ProgressSeconds = 1.5, HeartbeatSeconds = 2, StepLines = false, DeferCap = 4,
            });
        const string BuildDefaults = "\"keepGoing\":false,\"clean\":true,\"targets\":[],\"resources\":{},\"explainRerun\":false,\"list\":false," +
            "\"attic\":false,\"invalidate\":[],\"executor\":\"local\",\"slurmOptions\":\"\",\"slurmMaxJobs\":1000,\"dryRun\":false,\"itemsFollow\":false," +
            "\"progressSeconds\":5,\"heartbeatSeconds\":60}";
        AssertRequest("{\"type\":\"build\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":10,\"transient\":false,\"env\":{},\"jobs\":1," + BuildDefaults,
            new BuildProjectRequest { Root = "/w/p" });
        Assert.AreEqual(
            "{\"type\":\"build\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":10,\"transient\":false,\"env\":{},\"jobs\":" + Environment.ProcessorCount + "," + BuildDefaults,
            Reread("{\"type\":\"build\",\"protocol\":1,\"root\":\"/w/p\"}", Messages.ReadRequest), "a build without 'jobs' uses every core");
        Assert.AreEqual("slurm", ((BuildProjectRequest)Messages.ReadRequest(Utf8("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"executor\":\" SLURM \"}"))).Executor);

        AssertRequest("{\"type\":\"clean\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":1,\"transient\":true,\"attic\":true,\"dryRun\":true,\"paths\":[\"a\",\"b/\"],\"all\":true}",
            new CleanProjectRequest { Root = "/w/p", IdleTimeoutMinutes = 1, Transient = true, Attic = true, DryRun = true, Paths = ["a", "b/"], All = true });
        AssertRequest("{\"type\":\"clean\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":10,\"transient\":false,\"attic\":false,\"dryRun\":false,\"paths\":[],\"all\":false}",
            new CleanProjectRequest { Root = "/w/p" });

        AssertRequest("{\"type\":\"graph\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":10,\"transient\":false,\"prefix\":\"out/g\"}",
            new GraphProjectRequest { Root = "/w/p", Prefix = "out/g" });
        Assert.AreEqual("{\"type\":\"graph\",\"protocol\":1,\"root\":\"/w/p\",\"idleTimeout\":10,\"transient\":false,\"prefix\":\"graph\"}",
            Reread("{\"type\":\"graph\",\"protocol\":1,\"root\":\"/w/p\",\"prefix\":\"\"}", Messages.ReadRequest), "an empty prefix is the default");

        AssertRequest("{\"type\":\"shutdown\",\"protocol\":1}", new ShutdownRequest());
        AssertWire("{\"type\":\"cancel\"}", new CancelRequest(), Messages.ReadWhileServed);
    }

    [TestMethod]
    public void DefiningCalls()
    {
        AssertRequest(Step + ",\"cwd\":\"/w/p/sub\",\"command\":\"cmd\",\"name\":\"n\",\"workdir\":\"w/\",\"inp\":[\"i\"],\"out\":[\"o\"],\"vol\":[\"v\"],\"env\":[\"E\"]," +
            "\"optional\":true,\"resources\":\"gpu\",\"duration\":1.5,\"planning\":true,\"shell\":false,\"argv\":[\"prog\",\"a b\"],\"placeholders\":false,\"envOverrides\":{\"A\":\"1\"}}",
            new DefineStepCall
            {
                Token = "t", Cwd = "/w/p/sub", Command = "cmd", Name = "n", Workdir = "w/", Inp = ["i"], Out = ["o"], Vol = ["v"], Env = ["E"], Optional = true,
                Resources = "gpu", Duration = 1.5, Planning = true, Shell = false, Argv = ["prog", "a b"], Placeholders = false, EnvOverrides = { ["A"] = "1" },
            });
        const string Unset = ",\"inp\":[],\"out\":[],\"vol\":[],\"env\":[],\"optional\":false,\"planning\":false";
        AssertRequest(Step + ",\"command\":\"c\"" + Unset + "}", new DefineStepCall { Token = "t", Command = "c" });
        AssertRequest(Step + ",\"command\":\"c\"" + Unset + ",\"shell\":false,\"argv\":[]}", new DefineStepCall { Token = "t", Command = "c", Shell = false });
        Assert.AreEqual(Step + ",\"command\":\"c\"" + Unset + "}", Text(new DefineStepCall { Token = "t", Command = "c", Argv = ["c"] }.ToFrame()), "argv goes only with shell false");
        Assert.AreEqual(Step + ",\"command\":\"\"" + Unset + "}", Reread("{\"type\":\"api.step\",\"protocol\":1,\"token\":\"t\"}", Messages.ReadRequest));

        AssertRequest("{\"type\":\"api.script\",\"protocol\":1,\"token\":\"t\",\"executable\":\"plan.py\",\"stepInfo\":\"info.json\",\"workdir\":\"w/\"," +
            "\"inp\":[\"i\"],\"out\":[],\"vol\":[],\"env\":[],\"optional\":true,\"resources\":\"r\",\"duration\":2}",
            new DefineScriptCall { Token = "t", Executable = "plan.py", StepInfo = "info.json", Workdir = "w/", Inp = ["i"], Optional = true, Resources = "r", Duration = 2 });
        AssertRequest("{\"type\":\"api.script\",\"protocol\":1,\"token\":\"t\",\"executable\":\"plan.py\",\"inp\":[],\"out\":[],\"vol\":[],\"env\":[],\"optional\":false}",
            new DefineScriptCall { Token = "t", Executable = "plan.py" });
    }

    [TestMethod]
    public void OtherStepCalls()
    {
        const string Call = "\"protocol\":1,\"token\":\"t\"";
        AssertRequest("{\"type\":\"api.static\"," + Call + ",\"cwd\":\"/c\",\"paths\":[\"a\",\"d/\"],\"patterns\":[{\"pattern\":\"${*x}.txt\",\"subs\":{\"x\":\"[0-9]\"},\"paths\":[\"1.txt\"]}]}",
            new DeclareStaticCall
            {
                Token = "t", Cwd = "/c", Paths = ["a", "d/"],
                Patterns = [new GlobPattern { Pattern = "${*x}.txt", Subs = { ["x"] = "[0-9]" }, Paths = ["1.txt"] }],
            });
        AssertRequest("{\"type\":\"api.static\"," + Call + ",\"paths\":[]}", new DeclareStaticCall { Token = "t" });

        AssertRequest("{\"type\":\"api.amend\"," + Call + ",\"inp\":[\"i\"],\"out\":[\"o\"],\"vol\":[\"v\"],\"env\":[\"E\"],\"implicitStatic\":true}",
            new AmendCall { Token = "t", Inp = ["i"], Out = ["o"], Vol = ["v"], Env = ["E"], ImplicitStatic = true });
        AssertRequest("{\"type\":\"api.info\"," + Call + "}", new StepInfoCall { Token = "t" });
        AssertRequest("{\"type\":\"api.graph\"," + Call + ",\"prefix\":\"g2\"}", new WriteGraphCall { Token = "t", Prefix = "g2" });
        Assert.AreEqual("{\"type\":\"api.graph\"," + Call + ",\"prefix\":\"graph\"}", Reread("{\"type\":\"api.graph\"," + Call + ",\"prefix\":\"\"}", Messages.ReadRequest));
        AssertRequest("{\"type\":\"api.glob\"," + Call + ",\"pattern\":\"*.txt\",\"subs\":{},\"paths\":[\"a.txt\"]}",
            new GlobCall { Token = "t", Glob = new GlobPattern { Pattern = "*.txt", Paths = ["a.txt"] } });
        AssertRequest("{\"type\":\"api.hold\"," + Call + "}", new HoldCall { Token = "t" });
        AssertRequest("{\"type\":\"api.release\"," + Call + "}", new HoldCall { Token = "t", Release = true });
        AssertRequest("{\"type\":\"api.record\"," + Call + ",\"command\":\"c\",\"returncode\":2,\"workdir\":\"w\",\"shell\":true,\"stdin\":\"i\",\"stdout\":\"o\",\"stderr\":\"e\",\"envOverrides\":{\"A\":\"1\"}}",
            new RecordCall { Token = "t", Command = "c", ReturnCode = 2, Workdir = "w", Shell = true, Stdin = "i", Stdout = "o", Stderr = "e", EnvOverrides = { ["A"] = "1" } });
        AssertRequest("{\"type\":\"api.record\"," + Call + ",\"command\":\"\",\"returncode\":0,\"workdir\":\".\",\"shell\":false,\"stdin\":\"\",\"stdout\":\"\",\"stderr\":\"\"}",
            new RecordCall { Token = "t" });
        Assert.AreEqual("{\"type\":\"api.record\",\"protocol\":1,\"token\":\"\",\"command\":\"\",\"returncode\":0,\"workdir\":\".\",\"shell\":false,\"stdin\":\"\",\"stdout\":\"\",\"stderr\":\"\"}",
            Reread("{\"type\":\"api.record\",\"protocol\":1}", Messages.ReadRequest));
        AssertRequest("{\"type\":\"api.future\"," + Call + "}", new UnknownCall { Token = "t", Name = "api.future" });
    }

    [TestMethod]
    public void Answers()
    {
        AssertAnswer("{\"type\":\"ok\",\"key\":\"k\",\"label\":\"l\",\"command\":\"c\",\"workdir\":\"w/\",\"inp\":[\"i\"],\"out\":[\"o\"],\"vol\":[\"v\"],\"env\":[\"E\"]}",
            new DefinitionReply { Key = "k", Label = "l", Command = "c", Workdir = "w/", Inp = ["i"], Out = ["o"], Vol = ["v"], Env = ["E"] }, new StepInfoCall());
        AssertAnswer("{\"type\":\"ok\",\"command\":\"\",\"workdir\":\"\",\"inp\":[],\"out\":[],\"vol\":[],\"env\":[]}", new DefinitionReply(), new DefineStepCall());
        AssertAnswer("{\"type\":\"ok\"}", new EmptyReply(), new GlobCall());
        AssertAnswer("{\"type\":\"ok\",\"paths\":[\"a\"]}", new StaticReply { Paths = ["a"] }, new DeclareStaticCall());
        AssertAnswer("{\"type\":\"ok\",\"carryOn\":false}", new AmendReply { CarryOn = false }, new AmendCall());
        Assert.AreEqual("{\"type\":\"ok\",\"carryOn\":true}", Reread("{\"type\":\"ok\"}", frame => Messages.ReadStepAnswer(frame, new AmendCall())));
        AssertAnswer("{\"type\":\"ok\",\"files\":[\"g.txt\"]}", new GraphFilesReply { Files = ["g.txt"] }, new WriteGraphCall());
        AssertAnswer("{\"type\":\"error\",\"message\":\"m\",\"kind\":\"CyclicError\"}", new ErrorReply { Text = "m", Kind = ErrorReply.CyclicKind }, new AmendCall());
        AssertAnswer("{\"type\":\"error\",\"message\":\"m\"}", new ErrorReply { Text = "m" }, new AmendCall());
        AssertAnswer("{\"type\":\"rejected\",\"code\":\"" + Codes.ProtocolMismatch + "\",\"reason\":\"r\"}", new Rejection { Code = Codes.ProtocolMismatch, Reason = "r" }, new AmendCall());
        Assert.AreEqual("{\"type\":\"rejected\",\"code\":\"" + Codes.MalformedRequest + "\",\"reason\":\"\"}", Reread("{\"type\":\"rejected\"}", Messages.ReadEvent));
    }

    [TestMethod]
    public void TheDefinitionAsStepupInfoPrintsIt_HasNoKeyOrLabel()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            new DefinitionReply { Key = "k", Label = "l", Command = "c", Workdir = "w/", Inp = ["i"], Env = ["E"] }.WriteDefinition(w);
            w.WriteEndObject();
        }
        Assert.AreEqual("{\"command\":\"c\",\"workdir\":\"w/\",\"inp\":[\"i\"],\"out\":[],\"vol\":[],\"env\":[\"E\"]}", Text(buffer.ToArray()));
    }

    [TestMethod]
    public void Events()
    {
        AssertEvent("{\"type\":\"line\",\"tag\":\"START\",\"text\":\"s\",\"ms\":12.5}", new LineEvent { Tag = "START", Text = "s", DurationMs = 12.5 });
        AssertEvent("{\"type\":\"line\",\"tag\":\"DONE\",\"text\":\"s\",\"ms\":0}", new LineEvent { Tag = "DONE", Text = "s", DurationMs = 0 });
        AssertEvent("{\"type\":\"line\",\"tag\":\"\",\"text\":\"\"}", new LineEvent());
        Assert.AreEqual("{\"type\":\"line\",\"tag\":\"\",\"text\":\"\"}", Text(new LineEvent { DurationMs = -2 }.ToFrame()), "any negative duration is left out");
        AssertEvent("{\"type\":\"lines\",\"tag\":\"SKIP\",\"texts\":[\"a\",\"b\"]}", new LineBatchEvent { Tag = "SKIP", Texts = ["a", "b"] });
        AssertEvent("{\"type\":\"page\",\"title\":\"T\",\"text\":\"x\"}", new PageEvent { Title = "T", Text = "x" });
        AssertEvent("{\"type\":\"diag\",\"severity\":\"warning\",\"code\":\"C\",\"message\":\"m\",\"file\":\"f\",\"line\":3,\"column\":5}",
            new DiagnosticEvent { IsWarning = true, Code = "C", Text = "m", File = "f", Line = 3, Column = 5 });
        AssertEvent("{\"type\":\"diag\",\"severity\":\"error\",\"code\":\"\",\"message\":\"\",\"file\":\"\",\"line\":0,\"column\":0}", new DiagnosticEvent());
        Assert.IsFalse(((DiagnosticEvent)Messages.ReadEvent(Utf8("{\"type\":\"diag\",\"severity\":\"info\"}"))).IsWarning, "only \"warning\" is a warning");
        AssertEvent("{\"type\":\"done\",\"success\":true,\"summary\":\"s\",\"directorMs\":2.5,\"failed\":1,\"notRun\":2,\"jobs\":3}",
            new DoneEvent { Success = true, Summary = "s", DirectorMs = 2.5, Failed = 1, NotRun = 2, Jobs = 3 });
        Assert.AreEqual("{\"type\":\"done\",\"success\":false,\"summary\":\"\",\"directorMs\":0,\"failed\":0,\"notRun\":0,\"jobs\":0}", Reread("{\"type\":\"done\"}", Messages.ReadEvent));
        AssertEvent("{\"type\":\"stopping\",\"pid\":42,\"sdk\":\"1.2.3\"}", new ShutdownReply { Pid = 42, SdkVersion = "1.2.3" });
        Assert.AreEqual("{\"type\":\"stopping\",\"pid\":0,\"sdk\":\"\"}", Reread("{\"type\":\"stopping\"}", Messages.ReadEvent));
    }

    /// <summary>
    /// The exact reasons given for malformed requests; where a request has several faults, the one
    /// named is the one named so far (a client's tests may look for it).
    /// </summary>
    [TestMethod]
    [DataRow("{\"type\":\"build\",\"protocol\":1}", "'build' needs a 'root'")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"rel\"}", "'root' must be an absolute path, not 'rel'")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"idleTimeout\":-1}", "'idleTimeout' must be a number of minutes from 0 to 525600 (a year), not -1")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"idleTimeout\":\"x\"}", "field 'idleTimeout' of 'build' must be a number")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"jobs\":0}", "'jobs' must be a whole number of at least 1")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"jobs\":1.5}", "field 'jobs' of 'build' must be a whole number")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"progressSeconds\":0}", "'progressSeconds' and 'heartbeatSeconds' must be positive")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"executor\":\"cloud\"}", "'executor' must be local or slurm")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"slurmMaxJobs\":0}", "'slurmMaxJobs' must be a whole number of at least 1")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"deferCap\":-1}", "'deferCap' must be 0 or more")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"env\":{\"A\":1}}", "field 'env' of 'build' must be an object of strings")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"resources\":{\"gpu\":-1}}", "field 'resources' of 'build' must be an object of whole numbers")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"rel\",\"jobs\":0}", "'root' must be an absolute path, not 'rel'")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"keepGoing\":1}", "field 'keepGoing' of 'build' must be true or false")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"rel\",\"transient\":1}", "'root' must be an absolute path, not 'rel'")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"rel\",\"idleTimeout\":\"x\"}", "'root' must be an absolute path, not 'rel'")]
    [DataRow("{\"type\":\"clean\",\"protocol\":1,\"paths\":\"a\"}", "field 'paths' of 'clean' must be a list of strings")]
    [DataRow("{\"type\":\"api.step\",\"protocol\":1,\"token\":1,\"inp\":[1]}", "field 'token' of 'api.step' must be a string")]
    [DataRow("{\"type\":\"api.step\",\"protocol\":1,\"token\":1,\"shell\":1}", "field 'shell' of 'api.step' must be true or false")]
    [DataRow("{\"type\":\"api.step\",\"protocol\":1,\"duration\":\"x\"}", "field 'duration' of 'api.step' must be a number")]
    [DataRow("{\"type\":\"api.script\",\"protocol\":1,\"cwd\":1,\"inp\":[1]}", "field 'cwd' of 'api.script' must be a string")]
    [DataRow("{\"type\":\"api.static\",\"protocol\":1,\"patterns\":[{}]}", "'api.static.patterns' needs a 'pattern'")]
    [DataRow("{\"type\":\"api.static\",\"protocol\":1,\"patterns\":[1]}", "field 'patterns' of 'api.static' must be a list of objects")]
    [DataRow("{\"type\":\"api.glob\",\"protocol\":1,\"pattern\":\"*\",\"subs\":[]}", "field 'subs' of 'api.glob' must be an object of strings")]
    [DataRow("{\"type\":\"api.amend\",\"protocol\":1,\"token\":1,\"implicitStatic\":\"yes\"}", "field 'implicitStatic' of 'api.amend' must be true or false")]
    [DataRow("{\"type\":\"api.record\",\"protocol\":1,\"returncode\":2147483648}", "field 'returncode' of 'api.record' must be a whole number")]
    [DataRow("{\"type\":\"teleport\",\"protocol\":1}", "unknown request 'teleport'")]
    public void AMalformedRequest_IsRefusedForTheSameReasonAsBefore(string json, string reason)
    {
        Assert.AreEqual(reason, Assert.ThrowsExactly<ProtocolException>(() => Messages.ReadRequest(Utf8(json))).Message);
    }
}
