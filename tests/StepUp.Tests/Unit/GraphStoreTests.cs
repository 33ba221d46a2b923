using Microsoft.Data.Sqlite;
using StepUp.Engine.Graph;
using StepUp.Engine.Storage;

namespace StepUp.Tests.Unit;

[TestClass]
public sealed class GraphStoreTests
{
    const string DigestA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const string DigestB = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    /// <summary>
    /// root creates step story (outputs story.txt, volatile story.log, static input plan.txt) and step grep
    /// (input story.txt, an extra amended input header.h); grep creates step sub (workdir sub); orphans:
    /// file old.txt and step gone.
    /// </summary>
    static ProjectGraph SampleGraph()
    {
        var graph = new ProjectGraph { PlanFingerprint = "fp-123" };
        var plan = graph.GetOrAddFile("plan.txt");
        ProjectGraph.SetCreator(plan, graph.Root);
        plan.State = FileState.Static;
        plan.Stamp = new FileStamp(Digest.FromText(DigestA), 12, 1_700_000_000_123_456_789, 1_700_000_000_987_654_321, 4242, 0b110_100_100);

        var story = graph.AddStep(new StepDefinition
        {
            Key = "story",
            Label = "story",
            Command = "echo First line. > story.txt; echo \"Second\" line. >> story.txt",
            Inputs = ["plan.txt"],
            Outputs = ["story.txt"],
            Volatiles = ["story.log"],
            EnvNames = ["LANG", "HOME"],
            Optional = true,
            Resources = new Dictionary<string, int> { ["gpu"] = 1, ["mem"] = 4 },
            Location = new SourceLocation("/home/me/project/build.stepproj", 7, 5),
        });
        ProjectGraph.SetCreator(story, graph.Root);
        graph.LinkStep(story);
        story.State = StepState.Succeeded;
        story.SuccessHash = Digest.FromText(DigestB);
        var storyTxt = graph.FindFile("story.txt")!;
        storyTxt.State = FileState.Built;
        storyTxt.Stamp = new FileStamp(Digest.FromText(DigestB), 30, 11, 22, 33, 0b111_101_101);

        var grep = graph.AddStep(new StepDefinition
        {
            Key = "grep",
            Label = "grep First story.txt",
            Command = "grep First story.txt",
            Inputs = ["story.txt"],
            Planning = true,
        });
        ProjectGraph.SetCreator(grep, graph.Root);
        graph.LinkStep(grep);
        grep.State = StepState.Failed;
        // A running step amended its inputs: the links differ from the definition.
        var header = graph.GetOrAddFile("header.h");
        header.State = FileState.Static;
        header.Stamp = FileStamp.Missing;
        ProjectGraph.SetCreator(header, grep);
        grep.AddInputs([header]);
        header.AddConsumer(grep);

        var sub = graph.AddStep(new StepDefinition { Key = "sub", Label = "sub", Command = "make", Workdir = "sub" });
        ProjectGraph.SetCreator(sub, grep);
        graph.LinkStep(sub);

        var gone = graph.AddStep(new StepDefinition { Key = "gone", Label = "gone", Command = "true", Outputs = ["old.txt"] });
        graph.LinkStep(gone);
        var old = graph.FindFile("old.txt")!;
        ProjectGraph.SetCreator(old, null);
        old.State = FileState.Outdated;
        old.Stamp = new FileStamp(Digest.FromText("not-hex-digest"), 1, 2, 3, 4, 5);
        return graph;
    }

    static void AssertSameGraph(ProjectGraph expected, ProjectGraph actual)
    {
        Assert.AreEqual(expected.PlanFingerprint, actual.PlanFingerprint);
        Assert.AreEqual(expected.Files.Count, actual.Files.Count);
        Assert.AreEqual(expected.Steps.Count, actual.Steps.Count);
        AssertSameNode(expected.Root, actual.Root);
        foreach (var e in expected.Files.Values)
        {
            var a = actual.FindFile(e.Path);
            Assert.IsNotNull(a, e.Path);
            AssertSameNode(e, a);
            Assert.AreEqual(e.State, a.State, e.Path);
            Assert.AreEqual(e.Stamp, a.Stamp, e.Path);
            Assert.AreEqual(e.Producer?.Id, a.Producer?.Id, e.Path);
            CollectionAssert.AreEquivalent(e.Consumers.Select(c => c.Id).ToList(), a.Consumers.Select(c => c.Id).ToList(), e.Path);
        }
        foreach (var e in expected.Steps.Values)
        {
            var a = actual.FindStep(e.Definition.Key);
            Assert.IsNotNull(a, e.Definition.Key);
            AssertSameNode(e, a);
            Assert.AreEqual(e.State, a.State);
            Assert.AreEqual(e.SuccessHash, a.SuccessHash);
            Assert.IsTrue(e.Definition.SameAs(a.Definition), e.Definition.Key);
            Assert.AreEqual(e.Definition.Location, a.Definition.Location);
            CollectionAssert.AreEqual(e.Inputs.Select(f => f.Id).ToList(), a.Inputs.Select(f => f.Id).ToList());
            CollectionAssert.AreEqual(e.Outputs.Select(f => f.Id).ToList(), a.Outputs.Select(f => f.Id).ToList());
            CollectionAssert.AreEqual(e.Volatiles.Select(f => f.Id).ToList(), a.Volatiles.Select(f => f.Id).ToList());
        }
    }

    static void AssertSameNode(Node e, Node a)
    {
        Assert.AreEqual(e.Id, a.Id, e.Key);
        Assert.AreEqual(e.Key, a.Key);
        Assert.AreEqual(e.Creator?.Id, a.Creator?.Id, e.Key);
        CollectionAssert.AreEqual(e.Products.Select(p => p.Id).OrderBy(i => i).ToList(), a.Products.Select(p => p.Id).ToList(), e.Key);
        Assert.AreEqual(e.IsOrphan, a.IsOrphan, e.Key);
        Assert.IsFalse(a.Dirty, e.Key);
    }

    static SqliteConnection Raw(string root)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(root, ".stepup", "graph.db"),
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    static object? RawScalar(string root, string sql)
    {
        using var connection = Raw(root);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [TestMethod]
    public void OpenCreatesAnEmptyDatabase()
    {
        using var temp = new TempFolder();
        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsTrue(File.Exists(Path.Combine(temp.Path, ".stepup", "graph.db")));
            Assert.AreEqual(0L, store.Generation);
            Assert.IsFalse(store.WasInterrupted);
            Assert.IsFalse(store.WasReset);
            var graph = store.Load();
            Assert.AreEqual(0, graph.Files.Count);
            Assert.AreEqual(0, graph.Steps.Count);
            Assert.AreEqual("", graph.PlanFingerprint);
            Assert.AreEqual(1L, graph.Root.Id);
        }
        Assert.AreEqual((long)GraphStore.SchemaVersion, RawScalar(temp.Path, "PRAGMA user_version"));
        Assert.AreEqual("wal", RawScalar(temp.Path, "PRAGMA journal_mode"));
    }

    [TestMethod]
    public void SaveThenLoadRebuildsTheGraph()
    {
        using var temp = new TempFolder();
        var graph = SampleGraph();
        using (var store = GraphStore.Open(temp.Path))
        {
            store.Save(graph);
            Assert.AreEqual(1L, store.Generation);
            Assert.IsTrue(graph.AllNodes().All(n => !n.Dirty));
        }
        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.AreEqual(1L, store.Generation);
            var loaded = store.Load();
            AssertSameGraph(graph, loaded);

            // Spot checks of what AssertSameGraph covers, for a readable failure.
            var grep = loaded.FindStep("grep")!;
            CollectionAssert.AreEqual(new[] { "story.txt", "header.h" }, grep.Inputs.Select(f => f.Path).ToList());
            CollectionAssert.AreEqual(new[] { "story.txt" }, grep.Definition.Inputs.ToList());
            Assert.IsTrue(grep.Definition.Planning);
            Assert.AreSame(loaded.FindStep("story"), loaded.FindFile("story.txt")!.Producer);
            Assert.AreSame(loaded.FindStep("story"), loaded.FindFile("story.log")!.Producer);
            Assert.AreEqual(FileState.Volatile, loaded.FindFile("story.log")!.State);
            Assert.AreEqual(FileStamp.Missing, loaded.FindFile("header.h")!.Stamp);
            Assert.AreEqual("not-hex-digest", loaded.FindFile("old.txt")!.Stamp!.Digest.ToString());
            Assert.IsTrue(loaded.FindFile("old.txt")!.IsOrphan);
            Assert.IsTrue(loaded.FindStep("gone")!.IsOrphan);
            Assert.AreEqual("sub", loaded.FindStep("sub")!.Definition.Workdir);
            Assert.AreEqual(4, loaded.FindStep("story")!.Definition.Resources["mem"]);
            CollectionAssert.AreEqual(new[] { "LANG", "HOME" }, loaded.FindStep("story")!.Definition.EnvNames.ToList());

            // New nodes continue after the highest loaded id.
            var maxId = loaded.AllNodes().Max(n => n.Id);
            Assert.AreEqual(maxId + 1, loaded.GetOrAddFile("new.txt").Id);
        }
    }

    [TestMethod]
    public void SaveWritesOnlyDirtyNodesAndDeletesRemovedOnes()
    {
        using var temp = new TempFolder();
        var graph = SampleGraph();
        using var store = GraphStore.Open(temp.Path);
        store.Save(graph);
        var planId = graph.FindFile("plan.txt")!.Id;
        var goneId = graph.FindStep("gone")!.Id;
        var oldId = graph.FindFile("old.txt")!.Id;

        // Tamper with a clean row behind the store's back: a save that rewrote every row would undo it.
        using (var raw = Raw(temp.Path))
        using (var command = raw.CreateCommand())
        {
            command.CommandText = $"UPDATE f SET s = 'Missing' WHERE id = {planId}";
            Assert.AreEqual(1, command.ExecuteNonQuery());
        }

        var story = graph.FindStep("story")!;
        story.State = StepState.Pending;
        story.Dirty = true;
        graph.Remove(graph.FindStep("gone")!);
        graph.Remove(graph.FindFile("old.txt")!);
        graph.PlanFingerprint = "fp-456";
        store.Save(graph);
        Assert.AreEqual(2L, store.Generation);
        Assert.IsTrue(graph.AllNodes().All(n => !n.Dirty));

        Assert.AreEqual(0L, RawScalar(temp.Path, $"SELECT count(*) FROM s WHERE id = {goneId}"));
        Assert.AreEqual(0L, RawScalar(temp.Path, $"SELECT count(*) FROM f WHERE id = {oldId}"));

        var loaded = store.Load();
        Assert.AreEqual(FileState.Missing, loaded.FindFile("plan.txt")!.State, "a clean row was rewritten");
        Assert.AreEqual(StepState.Pending, loaded.FindStep("story")!.State);
        Assert.IsNull(loaded.FindStep("gone"));
        Assert.IsNull(loaded.FindFile("old.txt"));
        Assert.AreEqual("fp-456", loaded.PlanFingerprint);

        // Nothing dirty: the save still bumps the generation but writes no node.
        store.Save(loaded);
        Assert.AreEqual(3L, store.Generation);
    }

    [TestMethod]
    public void GenerationShowsSavesByAnotherStore()
    {
        using var temp = new TempFolder();
        using var first = GraphStore.Open(temp.Path);
        first.Save(SampleGraph());
        Assert.AreEqual(1L, first.ReadGeneration());

        using (var second = GraphStore.Open(temp.Path))
        {
            var graph = second.Load();
            graph.FindStep("grep")!.State = StepState.Succeeded;
            graph.FindStep("grep")!.Dirty = true;
            second.Save(graph);
            Assert.AreEqual(2L, second.Generation);
        }

        Assert.AreEqual(1L, first.Generation);
        Assert.AreEqual(2L, first.ReadGeneration());
        Assert.AreEqual(1L, first.Generation, "ReadGeneration must not change Generation");
        var reloaded = first.Load();
        Assert.AreEqual(2L, first.Generation);
        Assert.AreEqual(StepState.Succeeded, reloaded.FindStep("grep")!.State);
    }

    [TestMethod]
    public void AnotherSchemaVersionRecreatesAnEmptyDatabase()
    {
        using var temp = new TempFolder();
        using (var store = GraphStore.Open(temp.Path)) store.Save(SampleGraph());
        using (var raw = Raw(temp.Path))
        using (var command = raw.CreateCommand())
        {
            command.CommandText = $"PRAGMA user_version = {GraphStore.SchemaVersion + 1}";
            command.ExecuteNonQuery();
        }

        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsTrue(store.WasReset);
            Assert.AreEqual(0L, store.Generation);
            var graph = store.Load();
            Assert.AreEqual(0, graph.Files.Count);
            Assert.AreEqual(0, graph.Steps.Count);
            store.Save(SampleGraph());
        }
        Assert.AreEqual((long)GraphStore.SchemaVersion, RawScalar(temp.Path, "PRAGMA user_version"));
        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsFalse(store.WasReset);
            AssertSameGraph(SampleGraph(), store.Load());
        }
    }

    [TestMethod]
    [DataRow(8192)]
    [DataRow(100)]
    [DataRow(7)]
    public void ACorruptDatabaseIsReplaced(int size)
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, ".stepup"));
        var garbage = new byte[size];
        new Random(size).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(temp.Path, ".stepup", "graph.db"), garbage);

        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsTrue(store.WasReset);
            Assert.AreEqual(0, store.Load().Steps.Count);
            store.Save(SampleGraph());
        }
        using (var store = GraphStore.Open(temp.Path))
            AssertSameGraph(SampleGraph(), store.Load());
    }

    [TestMethod]
    public void UndecodableRowsMakeLoadStartOver()
    {
        using var temp = new TempFolder();
        using var store = GraphStore.Open(temp.Path);
        store.Save(SampleGraph());
        using (var raw = Raw(temp.Path))
        using (var command = raw.CreateCommand())
        {
            command.CommandText = "UPDATE s SET d = '{broken' WHERE k = 'grep'";
            command.ExecuteNonQuery();
        }
        var graph = store.Load();
        Assert.IsTrue(store.WasReset);
        Assert.AreEqual(0, graph.Steps.Count);
        store.Save(SampleGraph());
        AssertSameGraph(SampleGraph(), store.Load());
    }

    [TestMethod]
    public void AFileMissingFromTheDatabaseComesBackUndeclared()
    {
        using var temp = new TempFolder();
        using var store = GraphStore.Open(temp.Path);
        var graph = SampleGraph();
        store.Save(graph);
        var storyId = graph.FindFile("story.txt")!.Id;
        RawScalar(temp.Path, $"DELETE FROM f WHERE id = {storyId}");

        var loaded = store.Load();
        var story = loaded.FindFile("story.txt")!;
        Assert.AreEqual(FileState.Undeclared, story.State);
        Assert.AreSame(story, loaded.FindStep("grep")!.Inputs[0]);
        Assert.AreSame(loaded.FindStep("story"), story.Producer);
        Assert.IsTrue(story.Dirty, "a repaired node is saved next time");
    }

    [TestMethod]
    public void CreatorLoopsInADamagedDatabaseAreCut()
    {
        using var temp = new TempFolder();
        using var store = GraphStore.Open(temp.Path);
        var graph = SampleGraph();
        store.Save(graph);
        var storyId = graph.FindStep("story")!.Id;
        var grepId = graph.FindStep("grep")!.Id;
        RawScalar(temp.Path, $"UPDATE s SET c = {grepId} WHERE id = {storyId}");
        RawScalar(temp.Path, $"UPDATE s SET c = {storyId} WHERE id = {grepId}");

        var loaded = store.Load();
        Assert.IsFalse(store.WasReset);
        Assert.IsTrue(loaded.FindStep("story")!.IsOrphan);
        Assert.IsTrue(loaded.FindStep("grep")!.IsOrphan);
        Assert.IsTrue(loaded.FindStep("story")!.Creator == null || loaded.FindStep("grep")!.Creator == null);
    }

    [TestMethod]
    public void AKilledBuildIsNoticedAtTheNextOpen()
    {
        using var temp = new TempFolder();
        using (var store = GraphStore.Open(temp.Path))
        {
            store.MarkBuildStarted();
            Assert.IsFalse(store.WasInterrupted, "the store's own build is not an interrupted one");
            store.MarkBuildFinished();
        }
        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsFalse(store.WasInterrupted);
            store.MarkBuildStarted();
            // Killed: no MarkBuildFinished.
        }
        using (var store = GraphStore.Open(temp.Path))
        {
            Assert.IsTrue(store.WasInterrupted);
            store.Load();
            Assert.IsTrue(store.WasInterrupted);
            store.MarkBuildStarted();
            store.MarkBuildFinished();
            Assert.IsFalse(store.WasInterrupted);
        }
        using (var store = GraphStore.Open(temp.Path))
            Assert.IsFalse(store.WasInterrupted);
    }

    [TestMethod]
    public void DeleteRemovesTheDatabase()
    {
        using var temp = new TempFolder();
        using (var store = GraphStore.Open(temp.Path)) store.Save(SampleGraph());
        GraphStore.Delete(temp.Path);
        Assert.IsFalse(File.Exists(Path.Combine(temp.Path, ".stepup", "graph.db")));
        using var reopened = GraphStore.Open(temp.Path);
        Assert.AreEqual(0, reopened.Load().Steps.Count);
    }
}
