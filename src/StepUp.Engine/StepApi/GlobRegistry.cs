using StepUp.Engine.Files;

namespace StepUp.Engine.StepApi;

/// <summary>
/// The patterns that the graph's steps registered, so that an output declared after a pattern that
/// matches it is refused as one declared before it is. Patterns are few; each is compiled once.
/// </summary>
sealed class GlobRegistry
{
    readonly List<(StepNode Owner, RegisteredGlob Glob, NamedPattern Matcher)> _patterns = new();

    public GlobRegistry(ProjectGraph graph)
    {
        foreach (var step in graph.Steps.Values)
            foreach (var glob in step.Globs) Add(step, glob);
    }

    public void Add(StepNode owner, RegisteredGlob glob)
    {
        try
        {
            _patterns.Add((owner, glob, new NamedPattern(glob.Pattern, glob.Subs)));
        }
        catch (ArgumentException)
        {
            // Registered by an older client with rules of its own: it is matched again at the next build only.
        }
    }

    /// <summary>The live pattern that matches a root-relative path, with its step; null when none does.</summary>
    public (StepNode Owner, RegisteredGlob Glob)? Matching(string path)
    {
        foreach (var (owner, glob, matcher) in _patterns)
            if (!owner.IsOrphan && owner.Globs.Contains(glob) && matcher.IsMatch(path)) return (owner, glob);
        return null;
    }
}
