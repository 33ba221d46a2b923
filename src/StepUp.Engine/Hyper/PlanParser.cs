namespace StepUp.Engine.Hyper;

/// <summary>
/// Parses a <c>&lt;Plan Include="Name" Reach="a;b" Via="(BP: x y) * (BP2: *) * (BP3: 1..10)" /&gt;</c>.
/// Branches are named by name, or by value where no branch has that name; <c>baseline</c> is the
/// branch point's baseline and <c>*</c> every branch. An unknown step, branch point or branch is an
/// error that names it (ducttape reported only "zero tasks", #144).
/// </summary>
public sealed class PlanParser(List<Diagnostic> problems, Func<ValueOrigin, string, string, Diagnostic> error)
{
    public PlanClause? Parse(ItemSpec item, HyperWorkflow workflow)
    {
        var name = item.Include.Trim();
        var reachText = item.Meta("Reach");
        var via = item.Metadata.TryGetValue("Via", out var v) ? v : "";
        var reach = reachText.Split(';', ',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (name.Length == 0 || reach.Count == 0)
        {
            problems.Add(Diagnostic.Error(Codes.BadPlan, name.Length == 0
                ? "A <Plan> needs a name (Include)."
                : $"Plan '{name}' reaches no step; list the goal steps in Reach=\"step1;step2\".", item.Location));
            return null;
        }
        var ok = true;
        foreach (var step in reach.Where(s => !workflow.Steps.ContainsKey(s)))
        {
            problems.Add(Diagnostic.Error(Codes.PlanUnknownStep, $"Plan '{name}' reaches step '{step}', which does not exist.", item.Location));
            ok = false;
        }
        var pattern = new Dictionary<int, HashSet<int>?>();
        var origin = new ValueOrigin(item.Location, "Via", 0, $"plan '{name}'");
        try
        {
            foreach (var (offset, term) in Terms(via))
                if (!AddTerm(pattern, term, offset, origin, workflow.Registry, name)) ok = false;
        }
        catch (HyperSyntaxException e)
        {
            problems.Add(error(origin with { Offset = e.Offset }, e.Code, e.Message));
            return null;
        }
        return ok ? new PlanClause(name, reach, pattern, via.Trim(), item.Location) : null;
    }

    /// <summary>The <c>(BP: ...)</c> terms of Via, separated by <c>*</c> outside parentheses.</summary>
    static IEnumerable<(int Offset, string Term)> Terms(string via)
    {
        var i = 0;
        var expectTerm = true;
        while (i < via.Length)
        {
            if (char.IsWhiteSpace(via[i])) { i++; continue; }
            if (!expectTerm)
            {
                if (via[i] != '*') throw new HyperSyntaxException(Codes.BadPlan, i, "Expected '*' between the terms of Via: (A: x) * (B: y).");
                i++;
                expectTerm = true;
                continue;
            }
            if (via[i] != '(') throw new HyperSyntaxException(Codes.BadPlan, i, "Each term of Via is a branch point with its branches: (Name: a b).");
            var close = via.IndexOf(')', i);
            if (close < 0) throw new HyperSyntaxException(Codes.BadPlan, i, "A term of Via is not closed with ')'.");
            yield return (i, via[(i + 1)..close]);
            i = close + 1;
            expectTerm = false;
        }
        if (expectTerm && via.Trim().Length > 0) throw new HyperSyntaxException(Codes.BadPlan, via.Length, "Via ends with '*'.");
    }

    bool AddTerm(Dictionary<int, HashSet<int>?> pattern, string term, int offset, ValueOrigin origin, BranchPointRegistry registry, string plan)
    {
        var colon = term.IndexOf(':');
        if (colon < 0) throw new HyperSyntaxException(Codes.BadPlan, offset, $"Expected (Name: branches) in Via, not ({term}).");
        var bpName = term[..colon].Trim();
        var words = term[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var at = origin with { Offset = offset + 1 };
        if (bpName == "Baseline" && registry.Find(bpName) == null)
        {
            // ducttape's pseudo branch point: every realization has Baseline.baseline.
            if (words.All(w => w is "baseline" or "*")) return true;
            problems.Add(error(at, Codes.PlanUnknownBranch, $"Plan '{plan}': the pseudo branch point Baseline has only the branch 'baseline'."));
            return false;
        }
        if (registry.Find(bpName) is not { } bp)
        {
            problems.Add(error(at, Codes.PlanUnknownBranchPoint, $"Plan '{plan}' names branch point '{bpName}', which no value defines."));
            return false;
        }
        if (words.Length == 0) throw new HyperSyntaxException(Codes.BadPlan, offset, $"({bpName}:) lists no branches; use * for every branch.");
        if (!pattern.TryGetValue(bp, out var allowed)) pattern[bp] = allowed = new HashSet<int>();
        var ok = true;
        foreach (var word in words)
        {
            if (word == "*") { pattern[bp] = allowed = null; continue; }
            var names = DecimalSequence.Looks(word) ? DecimalSequence.Expand(word, offset) : new List<string> { word };
            foreach (var branchName in names)
            {
                var found = word == "baseline" && registry.FindBranch(bp, "baseline") == null
                    ? new[] { 0 }
                    : registry.FindBranchByNameOrValue(bp, branchName);
                if (found.Count == 0)
                {
                    problems.Add(error(at, Codes.PlanUnknownBranch,
                        $"Plan '{plan}' names branch '{branchName}' of {bpName}, which has ({string.Join(" ", registry.Branches(bp))})."));
                    ok = false;
                }
                allowed?.UnionWith(found);
            }
        }
        return ok;
    }
}
