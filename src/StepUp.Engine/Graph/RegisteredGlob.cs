namespace StepUp.Engine.Graph;

/// <summary>
/// A pattern a step matched (api.glob, or api.static with a pattern), root-relative, with the
/// matches found when it was registered (folders with a trailing '/'). When the files on disk match
/// differently, the step runs again; it registers anew each time it runs.
/// </summary>
public sealed record RegisteredGlob(string Pattern, IReadOnlyDictionary<string, string> Subs, IReadOnlyList<string> Matches);
