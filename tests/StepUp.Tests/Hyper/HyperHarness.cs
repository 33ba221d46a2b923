using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Tests.Engine;
using StepUp.Tests.Unit;

namespace StepUp.Tests.Hyper;

/// <summary>Items for planner tests of HyperWorkflows, one line each so locations are easy to tell apart.</summary>
sealed class HyperItems
{
    readonly List<ItemSpec> _items = new();
    int _line = 2;

    public IReadOnlyList<ItemSpec> Items => _items;

    public HyperItems Step(string name, string? inp = null, string? @out = null, string? @params = null, string command = "true",
        string? workdir = null, string? vol = null)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["Command"] = command };
        if (inp != null) meta["Inp"] = inp;
        if (@out != null) meta["Out"] = @out;
        if (@params != null) meta["Params"] = @params;
        if (workdir != null) meta["Workdir"] = workdir;
        if (vol != null) meta["Vol"] = vol;
        _items.Add(new ItemSpec("Step", name, meta, Item.At(_line++)));
        return this;
    }

    public HyperItems Global(string name, string value)
    {
        _items.Add(new ItemSpec("Global", name, new Dictionary<string, string> { ["Value"] = value }, Item.At(_line++)));
        return this;
    }

    public HyperItems Plan(string name, string reach, string? via = null)
    {
        var meta = new Dictionary<string, string> { ["Reach"] = reach };
        if (via != null) meta["Via"] = via;
        _items.Add(new ItemSpec("Plan", name, meta, Item.At(_line++)));
        return this;
    }

    public HyperItems Static(string include)
    {
        _items.Add(Item.Static(include, _line++));
        return this;
    }

    public HyperItems Settings(string? plan = null, string? realizationsDir = null)
    {
        var meta = new Dictionary<string, string>();
        if (plan != null) meta["Plan"] = plan;
        if (realizationsDir != null) meta["RealizationsDir"] = realizationsDir;
        _items.Add(new ItemSpec("Settings", "", meta, Item.At(0)));
        return this;
    }

    /// <summary>The line the next item gets (the first is 2).</summary>
    public int NextLine => _line;
}

/// <summary>Plans items in a temporary root and reads the realizations back.</summary>
sealed class HyperPlan : IDisposable
{
    readonly TempFolder _root = new();

    public string Root => _root.Path;

    public void Files(params string[] paths)
    {
        foreach (var path in paths)
        {
            var full = System.IO.Path.Combine(Root, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, path + "\n");
        }
    }

    public Plan Plan(HyperItems items, IEnumerable<StepDefinition>? known = null, bool explain = false) =>
        new Planner(Root, EngineProject.CurrentEnvironment()).Plan(items.Items, new PlanningContext(known ?? [], explain));

    public Plan Valid(HyperItems items, IEnumerable<StepDefinition>? known = null, bool explain = false)
    {
        var plan = Plan(items, known, explain);
        Assert.IsTrue(plan.IsValid, "The plan should be valid:\n" + Describe(plan));
        return plan;
    }

    public static string Describe(Plan plan) =>
        string.Join("\n", plan.Diagnostics.Select(d => $"{d.Code} {d.Location}: {d.Message}"))
        + "\n" + string.Join("\n", plan.Steps.Select(s => s.Key + (s.LeftOut ? " (left out)" : "")));

    /// <summary>The wanted realizations of one step, as "{a, b}" in plan order.</summary>
    public static string Of(Plan plan, string step) =>
        "{" + string.Join(", ", Wanted(plan, step).Select(s => s.Realization)) + "}";

    public static IEnumerable<StepDefinition> Wanted(Plan plan, string step) =>
        plan.Steps.Where(s => !s.LeftOut && s.Key.StartsWith(step + "/", StringComparison.Ordinal) && s.Key.IndexOf('/', step.Length + 1) < 0);

    public static StepDefinition Get(Plan plan, string key) =>
        plan.Steps.SingleOrDefault(s => s.Key == key) ?? throw new AssertFailedException($"No step {key} in:\n{Describe(plan)}");

    public static Diagnostic SingleError(Plan plan, string code)
    {
        var found = plan.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.AreEqual(1, found.Count, $"Expected exactly one {code}:\n{Describe(plan)}");
        return found[0];
    }

    public void Dispose() => _root.Dispose();
}
