using StepUp.Engine.Building;
using StepUp.Engine.Reporting;
using StepUp.Engine.Running;

namespace StepUp.Engine.Events;

/// <summary>
/// What a build tells its user about its steps: a tagged line per event, a step's output as pages,
/// and every failure as a diagnostic at the item that defines the step; it counts the summary.
/// The director forwards all of it to the MSBuild task (<see cref="IBuildEvents"/>), and the
/// <see cref="BuildRecord"/> keeps it for the build report.
/// </summary>
sealed class StepReporter(IBuildEvents events, StepLogs logs, bool explain)
{
    /// <summary>How many of a failed step's last output lines its error carries.</summary>
    public const int TailLines = 20;

    const int TailLineLength = 400;

    public BuildSummary Summary { get; } = new();
    public BuildRecord Record { get; } = new();

    public void Started(StepNode step)
    {
        Record.Started(step);
        Summary.Jobs++;
        step.RunReason = Record.Reasons.GetValueOrDefault(step);
        events.Line("START", step.Label);
    }

    public void Status(StepNode step, StepStatus status, string? detail) =>
        events.Line(status == StepStatus.Queued ? "QUEUED" : "RUNNING", detail == null ? step.Label : $"{step.Label} ({detail})");

    public void Skipped(StepNode step)
    {
        events.Line("SKIP", step.Label);
        Record.Skipped.Add(step);
        Summary.Skipped++;
    }

    /// <summary>Why a step cannot be skipped: in the report always, as an EXPLAIN line with StepUpExplainRerun.</summary>
    public void Explain(StepNode step, string reason)
    {
        Record.Reasons[step] = reason;
        if (explain) events.Line("EXPLAIN", $"{step.Label}: runs because {reason}");
    }

    /// <summary>Why a step that looks changed was skipped: a NOTE line, which the task shows at detailed verbosity.</summary>
    public void SkipNote(StepNode step, string note)
    {
        Record.SkipNotes[step] = "skipped although " + note;
        events.Line(NoteTag, $"{step.Label}: skipped although {note}");
    }

    public const string NoteTag = "NOTE";

    public int WouldRunCount { get; private set; }

    /// <summary>Dry run: a step that is not up to date, with the reason; always true.</summary>
    public bool WouldRun(StepNode step)
    {
        WouldRunCount++;
        events.Line("RUN", Record.Reasons.TryGetValue(step, out var reason) ? $"{step.Label} ({reason})" : step.Label);
        return true;
    }

    /// <summary>A step that runs again: amended inputs were not built yet (unavailable) or were built while it ran (unfresh).</summary>
    public void Deferred(StepNode step, IReadOnlyCollection<string> unavailable, IReadOnlyCollection<string> unfresh)
    {
        Record.Ended(step, StepOutcome.Deferred, null);
        events.Line("DEFERRED", step.Label);
        if (unavailable.Count > 0) events.Page("Unavailable dynamic inputs", string.Join("\n", unavailable.Order(StringComparer.Ordinal)));
        if (unfresh.Count > 0) events.Page("Unfresh dynamic inputs", string.Join("\n", unfresh.Order(StringComparer.Ordinal)));
    }

    public void Succeeded(StepNode step, RunResult result, TimeSpan duration)
    {
        Record.Ended(step, StepOutcome.Ran, result.ExitCode);
        Summary.Ran++;
        events.Line("SUCCESS", step.Label, duration);
        Pages(result);
        logs.Keep(step, result);
    }

    public void Failed(StepNode step, RunResult result, RunOutcome outcome, TimeSpan duration)
    {
        Record.Ended(step, StepOutcome.Failed, result.StartError == null && !result.Cancelled ? result.ExitCode : null,
            result.Stdout, result.StartError ?? result.Stderr);
        if (result.Cancelled) Summary.Cancelled++;
        else Summary.Failed++;
        events.Line(result.Cancelled ? "CANCEL" : "FAIL", step.Label, duration);
        Pages(result);
        var kept = logs.Keep(step, result);
        var loc = LocationOf(step);
        if (result.Cancelled)
            events.Report(Diagnostic.Error(Codes.Cancelled, $"Step '{step.Label}' was stopped because the build was cancelled.", loc));
        else if (result.StartError != null && result.ErrorCode != null)
            events.Report(Diagnostic.Error(result.ErrorCode, $"Step '{step.Label}' {result.StartError}", loc));
        else if (result.StartError != null)
            events.Report(Diagnostic.Error(Codes.StepError, $"Step '{step.Label}' could not start: {result.StartError}", loc));
        else if (result.ExitCode != 0)
            events.Report(Diagnostic.Error(Codes.StepFailed,
                $"Step '{step.Label}' failed with exit code {result.ExitCode}{(result.ExitCode == 127 ? " (a command was not found)" : "")}.{OutputTail(result, kept)}", loc));
        if (outcome.ChangedInputs.Count > 0)
            events.Report(Diagnostic.Error(Codes.InputChanged,
                $"Step '{step.Label}' failed: its input changed while it ran: {string.Join(", ", outcome.ChangedInputs.Select(i => i.Path))}.", loc));
        if (result.ExitCode != 0 || result.Cancelled) return;
        // In StepUp 4's words for a folder, which has no digest.
        foreach (var folder in outcome.FolderOutputs)
            events.Report(Diagnostic.Error(Codes.OutputsNotCreated,
                $"Step '{step.Label}' made a folder where its output is a file. Hash computation failed: File digests of directories are not supported: {folder}", loc));
        var notCreated = outcome.MissingOutputs.Except(outcome.FolderOutputs).ToList();
        if (notCreated.Count > 0)
            events.Report(Diagnostic.Error(Codes.OutputsNotCreated,
                $"Step '{step.Label}' did not create its output(s): {string.Join(", ", notCreated)}.", loc));
    }

    /// <summary>A step that does not run: an input changed after StepUp checked it (a running step wrote it).</summary>
    public void InputChangedBeforeStart(StepNode step, IReadOnlyList<FileNode> changed)
    {
        Summary.Failed++;
        events.Line("FAIL", step.Label);
        events.Page("Invalid inputs", string.Join("\n", changed.Select(i => "Input changed unexpectedly: " + i.Path)));
        events.Report(Diagnostic.Error(Codes.InputChanged,
            $"Step '{step.Label}' did not run: its input changed during the build: {string.Join(", ", changed.Select(i => i.Path))}.", LocationOf(step)));
    }

    /// <summary>Said once when a changed input stops the build, in StepUp 4's words.</summary>
    public void DrainingForChangedInputs() => events.Line("ERROR", "The scheduler is draining due to unexpected input changes.");

    /// <summary>A step deferred more often than the cap: it fails, with StepUp 4's page titles and its own output (whatever its exit code).</summary>
    public void DeferredTooOften(StepNode step, int cap, IReadOnlyList<string> waitedFor, RunResult result)
    {
        Record.Ended(step, StepOutcome.Failed, null, result.Stdout, $"deferred more than {cap} times");
        Summary.Failed++;
        events.Line("FAIL", step.Label);
        events.Page($"Deferred more than {cap} times", step.Label);
        events.Page("Unavailable dynamic inputs", string.Join("\n", waitedFor));
        Pages(result);
        logs.Keep(step, result);
        events.Report(Diagnostic.Error(Codes.StepFailed,
            $"Step '{step.Label}' was deferred more than {cap} times (the defer cap) waiting for amended inputs: {string.Join(", ", waitedFor)}.",
            LocationOf(step)));
    }

    public void CallRefused(StepNode step, bool amend, string reason) =>
        events.Report(Diagnostic.Error(amend ? Codes.AmendRefused : Codes.StepCallRefused,
            $"Step '{step.Label}' called {(amend ? "amend" : "step")}, which was refused: {reason.TrimEnd('.')}.", LocationOf(step)));

    public void BuildCancelled() =>
        events.Report(Diagnostic.Error(Codes.Cancelled, "The build was cancelled; running steps were stopped."));

    /// <summary>In StepUp 4's words, so that scripts written for it find them.</summary>
    public void TargetsNotProduced(IReadOnlyList<string> targets, bool folders) =>
        events.Report(Diagnostic.Warning(Codes.TargetNotProduced, folders
            ? $"{targets.Count} directory target(s) matched no regular output in the workflow: {string.Join(" ", targets)}"
            : $"{targets.Count} target(s) are not produced by any step in the workflow: {string.Join(" ", targets)}"));

    public void InputsMissing(StepNode step, IEnumerable<string> missing) =>
        events.Report(Diagnostic.Error(Codes.MissingInput,
            $"Step '{step.Label}' cannot run: input(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))} are neither static nor made by a step.",
            LocationOf(step)));

    public void ResourcesShort(StepNode step) =>
        events.Report(Diagnostic.Error(Codes.MissingInput,
            $"Step '{step.Label}' cannot run: it needs more of resource(s) {string.Join(", ", step.Definition.Resources.Select(r => r.Key + ":" + r.Value))} than StepUpResources provides.",
            LocationOf(step)));

    public void Cycle(IReadOnlyList<StepNode> cycle) =>
        events.Report(Diagnostic.Error(Codes.Cycle,
            "Dependency cycle between steps (found while running): " + string.Join(" -> ", cycle.Select(s => s.Label)) + ".", LocationOf(cycle[0])));

    /// <summary>Where to point MSBuild for a step: its item, or the item of the step that defined it.</summary>
    public static SourceLocation LocationOf(StepNode step)
    {
        for (Node? node = step; node is StepNode s; node = s.Creator)
            if (s.Definition.Location.File.Length > 0) return s.Definition.Location;
        return SourceLocation.None;
    }

    /// <summary>
    /// The reason a failed step gives, for its error (all that an IDE's error list, a CI annotation or
    /// the terminal logger shows): the last lines of its standard error, or of its standard output
    /// when it wrote nothing to standard error, and where all of its output is kept.
    /// </summary>
    static string OutputTail(RunResult result, (string? Stdout, string? Stderr) kept)
    {
        var useStderr = result.Stderr.Trim().Length > 0;
        var text = (useStderr ? result.Stderr : result.Stdout).TrimEnd();
        if (text.Trim().Length == 0) return " It wrote no output.";
        var lines = text.Split('\n');
        var tail = lines.Skip(Math.Max(0, lines.Length - TailLines))
            .Select(l => l.TrimEnd('\r'))
            .Select(l => l.Length > TailLineLength ? l[..TailLineLength] + " [...]" : l)
            .ToList();
        var what = (tail.Count < lines.Length ? $"The last {tail.Count} lines" : "The output") + " of its " + (useStderr ? "standard error" : "standard output");
        var files = new[] { kept.Stderr, kept.Stdout }.Where(f => f != null).ToList();
        var where = files.Count > 0 ? "\nAll of its output: " + string.Join(" and ", files) : "";
        return $" {what}:\n{string.Join("\n", tail)}{where}";
    }

    void Pages(RunResult result)
    {
        if (result.Stdout.Length > 0) events.Page("Standard output", result.Stdout);
        if (result.Stderr.Length > 0) events.Page("Standard error", result.Stderr);
    }
}
