namespace StepUp.Engine.Planning;

/// <summary>One evaluated MSBuild item as the task sent it: type, Include, metadata and location.</summary>
public sealed record ItemSpec(string ItemType, string Include, IReadOnlyDictionary<string, string> Metadata, SourceLocation Location)
{
    /// <summary>List metadata given as lists (by the step API): never split at ';', so a path may hold one.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Lists { get; init; }

    public string Meta(string name) =>
        Metadata.TryGetValue(name, out var value) ? value.Trim() : "";

    /// <summary>A list metadata without empty entries: as given in <see cref="Lists"/>, or MSBuild's ';'-separated text.</summary>
    public List<string> List(string name) =>
        Lists != null && Lists.TryGetValue(name, out var list)
            ? list.Select(s => s.Trim()).Where(s => s.Length > 0).ToList()
            : Contract.SplitList(Meta(name));
}

public enum Severity { Warning, Error }

/// <summary>A problem for the user, turned into an MSBuild warning or error by the task.</summary>
public sealed record Diagnostic(Severity Severity, string Code, string Message, SourceLocation Location)
{
    public static Diagnostic Error(string code, string message, SourceLocation? location = null) =>
        new(Severity.Error, code, message, location ?? SourceLocation.None);

    public static Diagnostic Warning(string code, string message, SourceLocation? location = null) =>
        new(Severity.Warning, code, message, location ?? SourceLocation.None);
}
