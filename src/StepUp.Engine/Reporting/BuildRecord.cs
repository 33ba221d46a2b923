using System.Diagnostics;

namespace StepUp.Engine.Reporting;

/// <summary>What happened to a step in one build, as the build report shows it.</summary>
public enum StepOutcome { Ran, Failed, Skipped, Deferred }

/// <summary>One run of a step: the job slot it held and when, relative to the start of the build.</summary>
public sealed class StepRun(StepNode step, int slot, TimeSpan start)
{
    public StepNode Step { get; } = step;
    public int Slot { get; } = slot;
    public TimeSpan Start { get; } = start;
    public TimeSpan End { get; internal set; } = start;
    public TimeSpan Duration => End - Start;
    public StepOutcome Outcome { get; internal set; } = StepOutcome.Ran;
    public int? ExitCode { get; internal set; }

    /// <summary>Kept for failed runs only, at most <see cref="BuildRecord.MaxOutputChars"/> each (the end of it).</summary>
    public string Stdout { get; internal set; } = "";
    public string Stderr { get; internal set; } = "";
}

/// <summary>
/// The facts of one build that the graph does not keep: each run with its slot and times, the
/// steps skipped, and why each step ran. Filled on the build loop by the step reporter (a
/// dictionary insert per event), read by the <see cref="ReportWriter"/> after the build.
/// </summary>
public sealed class BuildRecord
{
    public const int MaxOutputChars = 64 * 1024;

    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly Dictionary<StepNode, StepRun> _running = new(ReferenceEqualityComparer.Instance);
    readonly SortedSet<int> _freeSlots = new();
    int _slotCount;

    public DateTime StartedAt { get; } = DateTime.Now;
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Every run in start order; a deferred step runs more than once.</summary>
    public List<StepRun> Runs { get; } = new();

    public HashSet<StepNode> Skipped { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Why a step could not be skipped, as the up-to-date check found it.</summary>
    public Dictionary<StepNode, string> Reasons { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Why a step that looked changed was skipped anyway (for example an edited file with the same content).</summary>
    public Dictionary<StepNode, string> SkipNotes { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The number of job slots this build used at once, at most.</summary>
    public int SlotCount => _slotCount;

    internal void Started(StepNode step)
    {
        var slot = _freeSlots.Count > 0 ? _freeSlots.Min : _slotCount++;
        _freeSlots.Remove(slot);
        var run = new StepRun(step, slot, _clock.Elapsed);
        _running[step] = run;
        Runs.Add(run);
    }

    internal void Ended(StepNode step, StepOutcome outcome, int? exitCode, string stdout = "", string stderr = "")
    {
        if (!_running.Remove(step, out var run)) return;
        run.End = _clock.Elapsed;
        run.Outcome = outcome;
        run.ExitCode = exitCode;
        if (outcome == StepOutcome.Failed)
        {
            run.Stdout = Tail(stdout);
            run.Stderr = Tail(stderr);
        }
        _freeSlots.Add(run.Slot);
    }

    internal void Finish() => Elapsed = _clock.Elapsed;

    static string Tail(string text) => text.Length <= MaxOutputChars ? text : "…" + text[^MaxOutputChars..];
}
