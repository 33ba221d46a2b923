using System.Globalization;
using System.Net;
using System.Text;
using StepUp.Engine.Building;
using StepUp.Engine.Hyper;

namespace StepUp.Engine.Reporting;

/// <summary>
/// <c>.stepup/report.html</c>: one self-contained page (inline style, no script, nothing fetched)
/// about one build: a timeline of the runs on their job slots, the table of steps with the reason
/// each ran, the output of failed steps, one table per hyper step (branch points as columns, a
/// realization per row) and the dependency graph drawn by <see cref="SvgGraph"/>. Past
/// <see cref="FullDetailLimit"/> steps the page summarises: every failure, the slowest
/// <see cref="SlowestShown"/> runs and the counts.
/// </summary>
public static class ReportWriter
{
    public const string RelativePath = ".stepup/report.html";
    public const int FullDetailLimit = 10_000;
    public const int SlowestShown = 1_000;
    /// <summary>Beyond this many nodes a drawing is too large to read; StepUpGraph still writes it.</summary>
    public const int GraphNodeLimit = 2_000;

    const double TimelineWidth = 960;
    const double SlotHeight = 26;
    const double SlotLabelWidth = 64;

    const string Style = """
        body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
        h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc}
        .summary{font-weight:600}.failed-text{color:#b00}
        nav a{margin-right:1em}
        table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.failed td{background:#fde4e4}tr.skipped td{color:#666}tr:target td{outline:2px solid #36c}
        td.reason{max-width:40em}code,pre{font:12px monospace}
        pre{background:#f7f7f7;border:1px solid #ddd;padding:.5em;overflow:auto;max-height:30em;white-space:pre-wrap}
        .timeline rect.run{fill:#7fbf7f;stroke:#fff;stroke-width:1}.timeline rect.run.failed{fill:#d33}
        .timeline rect.run.deferred{fill:#e8c35a}.timeline g:hover rect.run{stroke:#000;stroke-width:2}
        .timeline text{font:11px monospace;fill:#111}.timeline .axis{stroke:#bbb}
        .scroll{overflow:auto;max-width:100%}.note{color:#555}
        """;

    /// <summary>Writes the report of a build into the project's state folder; replaces the previous one at once.</summary>
    public static string Write(ProjectGraph graph, BuildRecord record, BuildSummary summary, string root)
    {
        var path = Path.Combine(root, RelativePath);
        var temporary = path + ".tmp";
        // Chunk by chunk: the page of 10,000 steps as one string would be a large-object allocation
        // in a director that holds the graph, and could cost it a full collection.
        using (var file = new StreamWriter(temporary, append: false, new UTF8Encoding(false), bufferSize: 64 * 1024))
            foreach (var chunk in Format(graph, record, summary, root).GetChunks()) file.Write(chunk.Span);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>What the page says about one step in this build.</summary>
    sealed record StepLine(StepNode Step, string State, TimeSpan? Duration, int? ExitCode, string Reason);

    static StringBuilder Format(ProjectGraph graph, BuildRecord record, BuildSummary summary, string root)
    {
        var lines = Lines(graph, record);
        var summarised = lines.Count > FullDetailLimit;
        var shown = summarised ? Summarise(lines) : lines;
        var shownSteps = new HashSet<StepNode>(shown.Select(l => l.Step), ReferenceEqualityComparer.Instance);

        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>StepUp build report: ")
            .Append(Encode(Path.GetFileName(root.TrimEnd('/')))).Append("</title>\n<style>").Append(Style).Append("</style></head>\n<body>\n");
        html.Append("<h1>StepUp build report</h1>\n");
        html.Append("<p class=\"summary").Append(summary.Success ? "" : " failed-text").Append("\" id=\"summary\">").Append(Encode(summary.Counts)).Append("</p>\n");
        html.Append("<p>Project root <code>").Append(Encode(root)).Append("</code>, started ")
            .Append(record.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(", ")
            .Append(Seconds(record.Elapsed)).Append(" in the director, ").Append(record.Runs.Count).Append(" run(s) on ")
            .Append(record.SlotCount).Append(" job slot(s).</p>\n");
        html.Append("<nav><a href=\"#timeline-section\">Timeline</a><a href=\"#steps-section\">Steps</a><a href=\"#failures\">Failed steps</a>")
            .Append("<a href=\"#hyper\">HyperWorkflow</a><a href=\"#graph-section\">Dependency graph</a></nav>\n");
        if (summarised) Counts(html, lines);
        Timeline(html, record, shownSteps);
        StepTable(html, shown, summarised, lines.Count);
        Failures(html, record);
        HyperTables(html, shown);
        DependencyGraph(html, graph);
        html.Append("</body></html>\n");
        return html;
    }

    static List<StepLine> Lines(ProjectGraph graph, BuildRecord record)
    {
        var runs = new Dictionary<StepNode, (TimeSpan Total, StepRun Last)>(ReferenceEqualityComparer.Instance);
        foreach (var run in record.Runs)
            runs[run.Step] = runs.TryGetValue(run.Step, out var known) ? (known.Total + run.Duration, run) : (run.Duration, run);
        var lines = new List<StepLine>(graph.Steps.Count);
        foreach (var step in graph.Steps.Values.OrderBy(s => s.Id))
        {
            if (runs.TryGetValue(step, out var ran))
            {
                var state = ran.Last.Outcome switch { StepOutcome.Failed => "failed", StepOutcome.Deferred => "deferred", _ => "succeeded" };
                lines.Add(new StepLine(step, state, ran.Total, ran.Last.ExitCode, record.Reasons.GetValueOrDefault(step, "")));
            }
            else if (step.IsOrphan) continue;
            else if (record.Skipped.Contains(step))
                lines.Add(new StepLine(step, "skipped", null, null, record.SkipNotes.GetValueOrDefault(step, "up to date")));
            else
            {
                var why = step.Definition.LeftOut ? "left out by the plans"
                    : step.Definition.Optional ? "optional, and no wanted step needs it"
                    : record.Reasons.GetValueOrDefault(step, "the build stopped before it, or an input is missing");
                lines.Add(new StepLine(step, "not run", null, null, why));
            }
        }
        return lines;
    }

    /// <summary>Every failure, then the slowest runs.</summary>
    static List<StepLine> Summarise(List<StepLine> lines)
    {
        var failures = lines.Where(l => l.State == "failed").ToList();
        var slowest = lines.Where(l => l.State != "failed" && l.Duration != null)
            .OrderByDescending(l => l.Duration).Take(SlowestShown).ToList();
        return failures.Concat(slowest).ToList();
    }

    static void Counts(StringBuilder html, List<StepLine> lines)
    {
        html.Append("<section id=\"counts\"><h2>Counts</h2><p class=\"note\">This build has ").Append(lines.Count)
            .Append(" steps, more than ").Append(FullDetailLimit).Append(": the page shows every failed step and the ")
            .Append(SlowestShown).Append(" slowest runs.</p>\n<table><tr><th>State</th><th>Steps</th></tr>\n");
        foreach (var group in lines.GroupBy(l => l.State).OrderBy(g => g.Key, StringComparer.Ordinal))
            html.Append("<tr><td>").Append(group.Key).Append("</td><td class=\"num\">").Append(group.Count()).Append("</td></tr>\n");
        html.Append("</table></section>\n");
    }

    static void Timeline(StringBuilder html, BuildRecord record, HashSet<StepNode> shown)
    {
        html.Append("<section id=\"timeline-section\"><h2>Timeline</h2>\n");
        var runs = record.Runs.Where(r => shown.Contains(r.Step)).ToList();
        if (runs.Count == 0) html.Append("<p class=\"note\" id=\"timeline-empty\">No step ran in this build: every step was up to date.</p>\n");
        var total = Math.Max(record.Elapsed.TotalSeconds, runs.Count == 0 ? 0 : runs.Max(r => r.End.TotalSeconds));
        var scale = total > 0 ? TimelineWidth / total : 0;
        var slots = Math.Max(1, record.SlotCount);
        var height = slots * SlotHeight + 24;
        html.Append("<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" class=\"timeline\" width=\"")
            .Append(Num(SlotLabelWidth + TimelineWidth + 20)).Append("\" height=\"").Append(Num(height)).Append("\">\n");
        for (var slot = 0; slot < slots; slot++)
            html.Append("<text x=\"4\" y=\"").Append(Num(slot * SlotHeight + 17)).Append("\">slot ").Append(slot + 1).Append("</text>\n");
        const int ticks = 5;
        for (var t = 0; t <= ticks; t++)
        {
            var x = SlotLabelWidth + TimelineWidth * t / ticks;
            html.Append("<line class=\"axis\" x1=\"").Append(Num(x)).Append("\" x2=\"").Append(Num(x)).Append("\" y1=\"0\" y2=\"")
                .Append(Num(slots * SlotHeight)).Append("\"/><text x=\"").Append(Num(x - 10)).Append("\" y=\"").Append(Num(height - 6)).Append("\">")
                .Append(Seconds(TimeSpan.FromSeconds(total * t / ticks))).Append("</text>\n");
        }
        foreach (var run in runs)
        {
            var x = SlotLabelWidth + run.Start.TotalSeconds * scale;
            var width = Math.Max(2, run.Duration.TotalSeconds * scale);
            var outcome = run.Outcome switch { StepOutcome.Failed => "failed", StepOutcome.Deferred => "deferred", _ => "succeeded" };
            html.Append("<g class=\"run-group\" data-step=\"").Append(Encode(run.Step.Label)).Append("\"><title>")
                .Append(Encode($"{run.Step.Label} ({outcome}, {Seconds(run.Duration)})\n{run.Step.Definition.Command}")).Append("</title>");
            html.Append("<rect class=\"run ").Append(outcome).Append("\" x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(run.Slot * SlotHeight + 2))
                .Append("\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(SlotHeight - 4)).Append("\"/>");
            // A name that does not fit its bar is left to the hover text.
            if (width > run.Step.Label.Length * 6.8 + 8)
                html.Append("<text x=\"").Append(Num(x + 4)).Append("\" y=\"").Append(Num(run.Slot * SlotHeight + 17)).Append("\">")
                    .Append(Encode(run.Step.Label)).Append("</text>");
            html.Append("</g>\n");
        }
        html.Append("</svg></div></section>\n");
    }

    static void StepTable(StringBuilder html, List<StepLine> lines, bool summarised, int total)
    {
        html.Append("<section id=\"steps-section\"><h2>Steps</h2>\n");
        if (summarised) html.Append("<p class=\"note\">").Append(lines.Count).Append(" of ").Append(total).Append(" steps shown.</p>\n");
        html.Append("<table id=\"steps\"><thead><tr><th>Step</th><th>State</th><th>Duration</th><th>Exit code</th><th>Why it ran</th></tr></thead><tbody>\n");
        foreach (var line in lines)
        {
            html.Append("<tr id=\"step-").Append(line.Step.Id).Append("\" class=\"").Append(line.State.Replace(' ', '-')).Append("\"><td><code>")
                .Append(Encode(line.Step.Label)).Append("</code></td><td>").Append(line.State).Append("</td><td class=\"num\">")
                .Append(line.Duration is { } d ? Seconds(d) : "").Append("</td><td class=\"num\">")
                .Append(line.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "").Append("</td><td class=\"reason\">")
                .Append(Encode(line.Reason)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table></section>\n");
    }

    static void Failures(StringBuilder html, BuildRecord record)
    {
        html.Append("<section id=\"failures\"><h2>Failed steps</h2>\n");
        var failed = record.Runs.Where(r => r.Outcome == StepOutcome.Failed).ToList();
        if (failed.Count == 0) html.Append("<p class=\"note\">No step failed.</p>\n");
        foreach (var run in failed)
        {
            html.Append("<article class=\"failure\" data-step=\"").Append(Encode(run.Step.Label)).Append("\"><h3><a href=\"#step-").Append(run.Step.Id)
                .Append("\"><code>").Append(Encode(run.Step.Label)).Append("</code></a>")
                .Append(run.ExitCode is { } code ? " (exit code " + code.ToString(CultureInfo.InvariantCulture) + ")" : "").Append("</h3>\n");
            html.Append("<p>Command: <code>").Append(Encode(run.Step.Definition.Command)).Append("</code></p>\n");
            Output(html, "Standard output", "stdout", run.Stdout);
            Output(html, "Standard error", "stderr", run.Stderr);
            html.Append("</article>\n");
        }
        html.Append("</section>\n");
    }

    static void Output(StringBuilder html, string title, string kind, string text)
    {
        html.Append("<h4>").Append(title).Append("</h4>");
        if (text.Length == 0) html.Append("<p class=\"note\">(empty)</p>\n");
        else html.Append("<pre class=\"").Append(kind).Append("\">").Append(Encode(text)).Append("</pre>\n");
    }

    /// <summary>ducttape's summary: a table per hyper step, a column per branch point, a row per realization.</summary>
    static void HyperTables(StringBuilder html, List<StepLine> lines)
    {
        var byHyperStep = lines.Where(l => l.Step.Definition.Realization != null)
            .GroupBy(l => HyperStepName(l.Step.Definition)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        html.Append("<section id=\"hyper\"><h2>HyperWorkflow</h2>\n");
        if (byHyperStep.Count == 0) html.Append("<p class=\"note\">This build has no hyper step.</p>\n");
        foreach (var group in byHyperStep)
        {
            var rows = group.Select(l => (Line: l, Branches: Branches(l.Step.Definition.Realization!))).ToList();
            var branchPoints = rows.SelectMany(r => r.Branches.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            html.Append("<h3><code>").Append(Encode(group.Key)).Append("</code></h3>\n<table class=\"hyper\" data-step=\"").Append(Encode(group.Key))
                .Append("\"><thead><tr><th>Realization</th>");
            foreach (var bp in branchPoints) html.Append("<th class=\"branch-point\">").Append(Encode(bp)).Append("</th>");
            html.Append("<th>State</th><th>Duration</th></tr></thead><tbody>\n");
            foreach (var (line, branches) in rows)
            {
                html.Append("<tr class=\"").Append(line.State.Replace(' ', '-')).Append("\"><td><a href=\"#step-").Append(line.Step.Id).Append("\"><code>")
                    .Append(Encode(line.Step.Definition.Realization!)).Append("</code></a></td>");
                foreach (var bp in branchPoints)
                    html.Append("<td>").Append(Encode(branches.GetValueOrDefault(bp, "(baseline)"))).Append("</td>");
                html.Append("<td>").Append(line.State).Append("</td><td class=\"num\">").Append(line.Duration is { } d ? Seconds(d) : "").Append("</td></tr>\n");
            }
            html.Append("</tbody></table>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>The hyper step of a realization: its key without the realization's folder.</summary>
    static string HyperStepName(StepDefinition definition)
    {
        var folder = RealizationName.Folder(definition.Realization!);
        return definition.Key.Length > folder.Length ? definition.Key[..^(folder.Length + 1)] : definition.Key;
    }

    /// <summary>The non-baseline branches of a canonical realization name, <c>BP.branch+BP.branch</c>.</summary>
    static Dictionary<string, string> Branches(string realization)
    {
        var branches = new Dictionary<string, string>(StringComparer.Ordinal);
        if (realization == RealizationName.Baseline) return branches;
        foreach (var part in realization.Split('+'))
        {
            var dot = part.IndexOf('.');
            if (dot > 0) branches[part[..dot]] = part[(dot + 1)..];
        }
        return branches;
    }

    static void DependencyGraph(StringBuilder html, ProjectGraph graph)
    {
        html.Append("<section id=\"graph-section\"><h2>Dependency graph</h2>\n");
        var count = graph.AllNodes().Count(n => n is not RootNode && !n.IsOrphan);
        if (count > GraphNodeLimit)
            html.Append("<p class=\"note\" id=\"graph-too-large\">The graph has ").Append(count).Append(" nodes, more than ")
                .Append(GraphNodeLimit).Append(" can be read in a drawing; <code>dotnet build -t:StepUpGraph</code> writes it in full.</p>\n");
        else
        {
            var nodes = GraphWriter.DependencyNodes(graph).Where(n => !n.IsOrphan).ToList();
            html.Append("<p class=\"note\">Files (square) and steps (round) from supplier to consumer; a step links to its row.</p>\n<div class=\"scroll\">");
            html.Append(SvgGraph.Render(nodes, GraphWriter.DependencyEdges(graph), "graph", n => n is StepNode ? "#step-" + n.Id : null));
            html.Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    static string Seconds(TimeSpan time) =>
        time.TotalSeconds < 10 ? time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s"
        : time.TotalSeconds < 600 ? time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
