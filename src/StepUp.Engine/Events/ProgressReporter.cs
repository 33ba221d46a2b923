using System.Diagnostics;
using StepUp.Engine.Building;
using StepUp.Engine.Scheduling;

namespace StepUp.Engine.Events;

/// <summary>
/// Signs of life during a long build, on a timer of the build loop: every few seconds a PROGRESS
/// line (steps done of wanted, and the running ones) when it says something new, and a RUNNING line
/// for a step that has run longer than the heartbeat, once per heartbeat. A build shorter than the
/// progress interval says nothing more than before.
/// </summary>
sealed class ProgressReporter(IBuildEvents events, TimeSpan every, TimeSpan heartbeat)
{
    /// <summary>How many running steps a progress line names.</summary>
    const int NamedRunning = 5;

    // Progress is due every so many ticks: counted, as timers drift.
    readonly int _ticksPerProgress = Math.Max(1, (int)Math.Round(every / (every < heartbeat ? every : heartbeat)));
    int _ticks;
    string _lastText = "";

    /// <summary>How often the build loop should call <see cref="Tick"/>.</summary>
    public TimeSpan Period => every < heartbeat ? every : heartbeat;

    public void Tick(BuildPlan plan)
    {
        var now = Stopwatch.GetTimestamp();
        var (done, wanted, running) = plan.Progress();
        if (++_ticks % _ticksPerProgress == 0)
        {
            var text = $"{done}/{wanted} steps done" + (running.Count == 0 ? "" :
                $", {running.Count} running: {string.Join(", ", running.Take(NamedRunning).Select(r => r.Step.Label))}"
                + (running.Count > NamedRunning ? $" (+{running.Count - NamedRunning} more)" : ""));
            if (text != _lastText) events.Line("PROGRESS", text);
            _lastText = text;
        }
        foreach (var planned in running)
        {
            var ran = Stopwatch.GetElapsedTime(planned.StartedAt, now);
            var beats = (int)(ran / heartbeat);
            if (beats <= planned.Heartbeats) continue;
            planned.Heartbeats = beats;
            events.Line("RUNNING", $"{planned.Step.Label} (running for {Format(ran)})");
        }
    }

    static string Format(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{(int)t.TotalSeconds} s";
}
