using System.Diagnostics;

namespace StepUp.Engine.Sessions;

/// <summary>Times the phases of a request for director.log, where benchmarks and users can read them.</summary>
sealed class PhaseClock
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<string> _phases = new();
    double _last;

    public void Mark(string phase)
    {
        var now = _clock.Elapsed.TotalMilliseconds;
        _phases.Add($"{phase} {now - _last:0.0}");
        _last = now;
    }

    public override string ToString() => string.Join(", ", _phases);
}
