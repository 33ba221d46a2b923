using System.Text;
using StepUp.Protocol;

namespace StepUp.Tests.Protocol;

/// <summary>The typed messages as they travel: fields survive the wire, and bad frames are protocol errors, never crashes.</summary>
[TestClass]
public sealed class MessagesTests
{
    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [TestMethod]
    public void BuildRequest_TravelsWithItsFields()
    {
        var sent = new BuildProjectRequest
        {
            Root = "/work/p",
            IdleTimeoutMinutes = 0.5,
            Transient = true,
            Environment = { ["HOME"] = "/root", ["EMPTY"] = "" },
            Jobs = 3,
            KeepGoing = true,
            Clean = false,
            Targets = ["out/a;b.txt", "c.txt"],
            Resources = { ["gpu"] = 1, ["mem"] = 4 },
            ExplainRerun = true,
            ItemsFollow = true,
        };
        var read = (BuildProjectRequest)Messages.ReadRequest(sent.ToFrame());
        Assert.AreEqual("/work/p", read.Root);
        Assert.AreEqual(0.5, read.IdleTimeoutMinutes);
        Assert.IsTrue(read.Transient && read.KeepGoing && read.ExplainRerun && read.ItemsFollow);
        Assert.IsFalse(read.Clean);
        Assert.AreEqual(3, read.Jobs);
        CollectionAssert.AreEqual(new[] { "out/a;b.txt", "c.txt" }, read.Targets, "a path with ';' is one target");
        Assert.AreEqual("", read.Environment["EMPTY"]);
        Assert.AreEqual(4, read.Resources["mem"]);
    }

    [TestMethod]
    public void DefinedStep_ListsTravelAsLists_APathWithASemicolonStaysOnePath()
    {
        var sent = new DefineStepCall
        {
            Token = "t", Cwd = "/p", Command = "cat ${inp} > ${out}", Name = "n", Workdir = "sub/",
            Inp = ["data;1.txt", "b.txt"], Out = ["x;y.txt"], Env = ["A"], Planning = true, Resources = "gpu",
        };
        var frame = sent.ToFrame();
        StringAssert.Contains(Encoding.UTF8.GetString(frame), "\"inp\":[\"data;1.txt\",\"b.txt\"]");
        var read = (DefineStepCall)Messages.ReadRequest(frame);
        CollectionAssert.AreEqual(new[] { "data;1.txt", "b.txt" }, read.Inp);
        CollectionAssert.AreEqual(new[] { "x;y.txt" }, read.Out);
        Assert.AreEqual("sub/", read.Workdir);
        Assert.AreEqual("gpu", read.Resources);
        Assert.IsTrue(read.Planning);
    }

    [TestMethod]
    public void OptionalFieldsThatAreNotSet_AreNotSent()
    {
        var frame = Encoding.UTF8.GetString(new DefineStepCall { Token = "t", Command = "true" }.ToFrame());
        Assert.AreEqual("{\"type\":\"api.step\",\"protocol\":1,\"token\":\"t\",\"command\":\"true\",\"inp\":[],\"out\":[],\"vol\":[],\"env\":[],\"optional\":false,\"planning\":false}", frame);
    }

    [TestMethod]
    public void AnswersOfAStepCall_AreReadAsTheCallsReply()
    {
        var call = new AmendCall();
        Assert.IsFalse(((AmendReply)Messages.ReadStepAnswer(Utf8("{\"type\":\"ok\",\"carryOn\":false}"), call)).CarryOn);
        Assert.AreEqual("no", ((ErrorReply)Messages.ReadStepAnswer(Utf8("{\"type\":\"error\",\"message\":\"no\"}"), call)).Text);
        var rejected = (Rejection)Messages.ReadStepAnswer(new Rejection { Code = Codes.ProtocolMismatch, Reason = "r" }.ToFrame(), call);
        Assert.AreEqual(Codes.ProtocolMismatch, rejected.Code);
        var definition = (DefinitionReply)Messages.ReadStepAnswer(Utf8("{\"type\":\"ok\",\"label\":\"l\",\"inp\":[\"a;b\"]}"), new StepInfoCall());
        Assert.AreEqual("l", definition.Label);
        CollectionAssert.AreEqual(new[] { "a;b" }, definition.Inp);
    }

    [TestMethod]
    public void EventsRoundTrip()
    {
        var diagnostic = (DiagnosticEvent)Messages.ReadEvent(new DiagnosticEvent
        {
            IsWarning = true, Code = Codes.EditedOutputKept, Text = "kept", File = "p.stepproj", Line = 3, Column = 5,
        }.ToFrame());
        Assert.IsTrue(diagnostic.IsWarning);
        Assert.AreEqual((Codes.EditedOutputKept, "kept", "p.stepproj", 3, 5), (diagnostic.Code, diagnostic.Text, diagnostic.File, diagnostic.Line, diagnostic.Column));
        var done = (DoneEvent)Messages.ReadEvent(new DoneEvent { Success = true, Summary = "StepUp: 1 ran", DirectorMs = 2.5 }.ToFrame());
        Assert.AreEqual((true, "StepUp: 1 ran", 2.5), (done.Success, done.Summary, done.DirectorMs));
        var batch = (LineBatchEvent)Messages.ReadEvent(new LineBatchEvent { Tag = "SKIP", Texts = ["a", "b"] }.ToFrame());
        CollectionAssert.AreEqual(new[] { "a", "b" }, batch.Texts);
        Assert.AreEqual(42, ((ShutdownReply)Messages.ReadEvent(new ShutdownReply { Pid = 42 }.ToFrame())).Pid);
    }

    [TestMethod]
    public void ADeeplyNestedMessage_IsAProtocolError()
    {
        // About 500 KB of nesting: a recursive reader would overflow its stack.
        var depth = 250_000;
        var frame = Utf8("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"env\":" + new string('[', depth) + new string(']', depth) + "}");
        var e = Assert.ThrowsExactly<ProtocolException>(() => Messages.ReadRequest(frame));
        Assert.IsFalse(e.IsVersionMismatch);
        StringAssert.Contains(e.Message, "levels");
    }

    [TestMethod]
    public void AnotherProtocolVersion_IsReportedAsSuch_WhateverElseTheRequestSays()
    {
        var e = Assert.ThrowsExactly<ProtocolException>(() => Messages.ReadRequest(Utf8("{\"type\":\"nonsense\",\"protocol\":7,\"root\":12}")));
        Assert.IsTrue(e.IsVersionMismatch);
        StringAssert.Contains(e.Message, "7");
    }

    [TestMethod]
    [DataRow("not json")]
    [DataRow("[1,2]")]
    [DataRow("{\"protocol\":1}")]
    [DataRow("{\"type\":\"build\"}")]
    [DataRow("{\"type\":\"teleport\",\"protocol\":1}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"relative\"}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"idleTimeout\":1e300}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"idleTimeout\":-1}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"jobs\":0}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"targets\":\"a;b\"}")]
    [DataRow("{\"type\":\"build\",\"protocol\":1,\"root\":\"/p\",\"resources\":{\"gpu\":-1}}")]
    [DataRow("{\"type\":\"api.step\",\"protocol\":1,\"inp\":[1]}")]
    [DataRow("{\"type\":\"api.amend\",\"protocol\":1,\"implicitStatic\":\"yes\"}")]
    public void AMalformedRequest_IsAProtocolErrorThatSaysWhy(string json)
    {
        var e = Assert.ThrowsExactly<ProtocolException>(() => Messages.ReadRequest(Utf8(json)));
        Assert.IsFalse(e.IsVersionMismatch);
        Assert.IsTrue(e.Message.Length > 10, e.Message);
    }

    [TestMethod]
    public void ItemsFrame_ReadsWhatTheWriterWrote()
    {
        using var writer = new ItemsFrame.Writer(16);
        writer.Add("Step", "a;b", [new("Command", "echo \"hi\" > ${out}"), new("Out", "x%3By.txt")], "/p/p.stepproj", 3, 5);
        writer.Add("Static", "data/", [], "/p/p.stepproj", 2, 5);
        var items = ItemsFrame.Read(writer.Finish(), item => item);
        Assert.AreEqual(2, items.Count);
        Assert.AreEqual(("Step", "a;b", "/p/p.stepproj", 3, 5), (items[0].Type, items[0].Include, items[0].File, items[0].Line, items[0].Column));
        Assert.AreEqual("echo \"hi\" > ${out}", items[0].Meta["command"], "metadata names are case-insensitive");
        Assert.AreEqual(0, items[1].Meta.Count);
    }

    [TestMethod]
    [DataRow("{}")]
    [DataRow("[1]")]
    [DataRow("[{\"type\":3}]")]
    [DataRow("[{\"meta\":[]}]")]
    [DataRow("[{\"type\":\"Step\"}")]
    [DataRow("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]")]
    public void AMalformedItemsFrame_IsAProtocolError(string json)
    {
        Assert.ThrowsExactly<ProtocolException>(() => ItemsFrame.Read(Utf8(json), item => item));
    }
}
