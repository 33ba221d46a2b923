using System.Collections;
using System.Text;
using StepUp.Engine.Building;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Engine.Running;
using StepUp.Engine.Scheduling;
using StepUp.Engine.Sessions;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Engine;

/// <summary>An <see cref="IBuildEvents"/> that keeps everything it is told, in order.</summary>
sealed class RecordingEvents : IBuildEvents
{
    readonly Lock _gate = new();
    readonly List<(string Tag, string Text)> _lines = new();
    readonly List<(string Title, string Text)> _pages = new();
    readonly List<Diagnostic> _diagnostics = new();

    /// <summary>Called after each line is recorded (from the engine's thread).</summary>
    public Action<string, string>? OnLine { get; init; }

    public void Line(string tag, string text)
    {
        lock (_gate) _lines.Add((tag, text));
        OnLine?.Invoke(tag, text);
    }

    public void Page(string title, string text)
    {
        lock (_gate) _pages.Add((title, text));
    }

    public void Report(Diagnostic diagnostic)
    {
        lock (_gate) _diagnostics.Add(diagnostic);
    }

    public IReadOnlyList<(string Tag, string Text)> Lines { get { lock (_gate) return _lines.ToList(); } }
    public IReadOnlyList<(string Title, string Text)> Pages { get { lock (_gate) return _pages.ToList(); } }
    public IReadOnlyList<Diagnostic> Diagnostics { get { lock (_gate) return _diagnostics.ToList(); } }

    public IReadOnlyList<string> Tagged(string tag) => Lines.Where(l => l.Tag == tag).Select(l => l.Text).ToList();
    public bool Started(string label) => Tagged("START").Contains(label);
    public bool Succeeded(string label) => Tagged("SUCCESS").Contains(label);
    public bool SkippedStep(string label) => Tagged("SKIP").Contains(label);
    public bool Failed(string label) => Tagged("FAIL").Contains(label);
    public bool RemovedFile(string path) => Tagged("REMOVE").Contains(path);

    public IReadOnlyList<Diagnostic> WithCode(string code) => Diagnostics.Where(d => d.Code == code).ToList();
    public IReadOnlyList<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
    public IReadOnlyList<Diagnostic> Warnings => Diagnostics.Where(d => d.Severity == Severity.Warning).ToList();

    /// <summary>A transcript for assertion messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (tag, text) in Lines) sb.Append(tag.PadLeft(8)).Append(" │ ").AppendLine(text);
        foreach (var (title, text) in Pages) sb.Append("--- ").Append(title).Append(" ---\n").AppendLine(text.TrimEnd());
        foreach (var d in Diagnostics) sb.AppendLine($"{d.Location.File}({d.Location.Line},{d.Location.Column}): {d.Severity} {d.Code}: {d.Message}");
        return sb.ToString();
    }
}

/// <summary>The outcome of one in-process build.</summary>
sealed record EngineBuild(BuildSummary Summary, RecordingEvents Events)
{
    public override string ToString() => Summary + "\n" + Events;

    public EngineBuild AssertSuccess(string? why = null)
    {
        Assert.IsTrue(Summary.Success, $"{why} The build should succeed.\n{this}");
        Assert.AreEqual(0, Events.Errors.Count, $"{why} No errors expected.\n{this}");
        return this;
    }

    public EngineBuild AssertFailure(string? why = null)
    {
        Assert.IsFalse(Summary.Success, $"{why} The build should fail.\n{this}");
        return this;
    }

    public Diagnostic Single(string code)
    {
        var found = Events.WithCode(code);
        Assert.AreEqual(1, found.Count, $"Expected exactly one {code}.\n{this}");
        return found[0];
    }

    public void AssertStarted(params string[] labels)
    {
        foreach (var label in labels) Assert.IsTrue(Events.Started(label), $"Step '{label}' should have started.\n{this}");
    }

    public void AssertNotStarted(params string[] labels)
    {
        foreach (var label in labels) Assert.IsFalse(Events.Started(label), $"Step '{label}' should not have started.\n{this}");
    }

    public void AssertSkipped(params string[] labels)
    {
        foreach (var label in labels)
        {
            Assert.IsTrue(Events.SkippedStep(label), $"Step '{label}' should have been skipped.\n{this}");
            Assert.IsFalse(Events.Started(label), $"Step '{label}' should not have started.\n{this}");
        }
    }

    /// <summary>Everything skipped, nothing ran.</summary>
    public void AssertNothingRan(int expectedSkipped)
    {
        AssertSuccess();
        Assert.AreEqual(0, Summary.Ran, $"Nothing should run.\n{this}");
        Assert.AreEqual(expectedSkipped, Summary.Skipped, $"Every step should be skipped.\n{this}");
        Assert.AreEqual(0, Events.Tagged("START").Count, $"No START expected.\n{this}");
    }
}

/// <summary>Builders for the items the MSBuild task sends; the location is p.stepproj(line,5).</summary>
static class Item
{
    public const string ProjectFile = "p.stepproj";

    public static SourceLocation At(int line) => new(ProjectFile, line, 5);

    public static ItemSpec Step(string name, string? command, int line = 3, string? inp = null, string? @out = null, string? vol = null,
        string? workdir = null, string? env = null, string? optional = null, string? resources = null, string? planning = null)
    {
        var meta = Meta(("Inp", inp), ("Out", @out), ("Vol", vol), ("Workdir", workdir), ("Env", env), ("Optional", optional),
            ("Resources", resources), ("Planning", planning));
        if (command != null) meta["Command"] = command;
        return new ItemSpec("Step", name, meta, At(line));
    }

    public static ItemSpec Static(string include, int line = 2) =>
        new("Static", include, new Dictionary<string, string>(), At(line));

    public static ItemSpec Script(string include, int line = 4, string? workdir = null, string? optional = null, string? stepInfo = null,
        string? inp = null, string? @out = null) =>
        new("Script", include, Meta(("Workdir", workdir), ("Optional", optional), ("StepInfo", stepInfo), ("Inp", inp), ("Out", @out)), At(line));

    static Dictionary<string, string> Meta(params (string Name, string? Value)[] pairs)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
            if (value != null) meta[name] = value;
        return meta;
    }
}

/// <summary>
/// A project root in a temp folder, built in-process the way the director does it: one
/// <see cref="ProjectSession"/> kept between builds (until <see cref="Restart"/>), a fresh
/// <see cref="JobPool"/> per build and a copy of this process's environment. Steps run on the
/// <see cref="FakeRunner"/>, or on real shells for the tests of the shell runner.
/// </summary>
sealed class EngineProject : IDisposable
{
    /// <summary>Only a safety net against a hung engine; no test asserts on time.</summary>
    static readonly TimeSpan BuildSafetyTimeout = TimeSpan.FromSeconds(120);

    readonly TempFolder _folder = new();
    readonly StepRegistry _steps = new();
    readonly IStepRunnerFactory _runner;
    ProjectSession? _session;

    public EngineProject(bool shell = false, bool queues = false)
    {
        Env = CurrentEnvironment();
        Fake = new FakeRunner(_steps) { Queues = queues };
        _runner = shell ? ShellRunner.Factory : Fake;
    }

    /// <summary>The runner of the steps (unless they run on real shells).</summary>
    public FakeRunner Fake { get; }

    /// <summary>What the director shares between builds, with a fresh pool of job slots.</summary>
    public DirectorContext NewContext() => new() { Pool = new JobPool(), Steps = _steps, Runner = _runner };

    public string Root => _folder.Path;
    public Dictionary<string, string> Env { get; }

    public ProjectSession Session => _session ??= new ProjectSession(Root);

    public static Dictionary<string, string> CurrentEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            env[(string)entry.Key] = (string?)entry.Value ?? "";
        return env;
    }

    public async Task<EngineBuild> BuildAsync(IEnumerable<ItemSpec> items, BuildOptions? options = null, CancellationToken ct = default,
        RecordingEvents? events = null)
    {
        events ??= new RecordingEvents();
        var list = items.ToList();
        var request = new BuildRequest
        {
            Items = list,
            // As the director does: equal items give an equal fingerprint, which lets it reuse the plan.
            ItemsFingerprint = Fingerprint(list),
            Environment = new Dictionary<string, string>(Env, StringComparer.Ordinal),
            Options = options ?? new BuildOptions { Jobs = 2 },
        };
        var summary = await Session.BuildAsync(request, events, NewContext(), ct).WaitAsync(BuildSafetyTimeout);
        return new EngineBuild(summary, events);
    }

    public Task<EngineBuild> BuildAsync(params ItemSpec[] items) => BuildAsync(items, null);

    static string Fingerprint(IEnumerable<ItemSpec> items)
    {
        var text = new System.Text.StringBuilder();
        foreach (var item in items)
        {
            text.Append(item.ItemType).Append('\0').Append(item.Include).Append('\0').Append(item.Location).Append('\0');
            foreach (var (k, v) in item.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append(k).Append('=').Append(v).Append('\0');
            text.Append('\n');
        }
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    public async Task<RecordingEvents> CleanAsync()
    {
        var events = new RecordingEvents();
        await Session.CleanAsync(attic: false, events, CancellationToken.None).WaitAsync(BuildSafetyTimeout);
        return events;
    }

    /// <summary>Drops the session, as a director restart would; the next build opens the database again.</summary>
    public void Restart()
    {
        _session?.Dispose();
        _session = null;
    }

    public string FullPath(string path) => System.IO.Path.Combine(Root, path);

    public void Write(string path, string text)
    {
        var full = FullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    public string Read(string path) => File.ReadAllText(FullPath(path));
    public bool Exists(string path) => File.Exists(FullPath(path));
    public bool FolderExists(string path) => Directory.Exists(FullPath(path));

    public void Dispose()
    {
        Restart();
        _folder.Dispose();
    }
}
