namespace StepUp.Engine.Building;

/// <summary>What a build tells its user; the director forwards each call to the MSBuild task.</summary>
public interface IBuildEvents
{
    /// <summary>A tagged line, e.g. ("START", "story").</summary>
    void Line(string tag, string text);

    /// <summary>A line about a step's run, with how long it ran (shown at detailed verbosity).</summary>
    void Line(string tag, string text, TimeSpan duration) => Line(tag, text);

    /// <summary>A block of text under a titled rule, e.g. a step's standard output.</summary>
    void Page(string title, string text);

    void Report(Diagnostic diagnostic);
}

/// <summary>Counts for the closing summary line.</summary>
public sealed class BuildSummary
{
    public int Ran { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int Removed { get; set; }
    public int NotRun { get; set; }

    /// <summary>Runs started (failed and deferred ones included): StepUp's jobs.</summary>
    public int Jobs { get; set; }

    /// <summary>Steps stopped because the build was cancelled: not failures of their own.</summary>
    public int Cancelled { get; set; }
    public bool Success { get; set; }

    /// <summary>The client asked the build to drain (start no more steps) and it did: it is incomplete.</summary>
    public bool Drained { get; set; }

    /// <summary>The project's build number (<see cref="Graph.ProjectGraph.Build"/>); 0 for a request that built nothing.</summary>
    public long Build { get; set; }

    /// <summary>A summary of another kind of request (StepUpList) in place of the counts.</summary>
    public string? Text { get; set; }

    /// <summary>The build report (<c>.stepup/report.html</c>) the summary line names; null when none is written.</summary>
    public string? Report { get; set; }

    public string Counts => $"StepUp: {Ran} ran, {Skipped} skipped, {Failed} failed, {Removed} removed" + (NotRun > 0 ? $", {NotRun} not run" : "")
        + (Cancelled > 0 ? $", {Cancelled} cancelled" : "");

    public override string ToString() => Text ?? Counts + (Build > 0 ? $" (build {Build})" : "") + (Report != null ? "; report: " + Report : "");
}
