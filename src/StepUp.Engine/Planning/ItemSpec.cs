using StepUp.Engine.Graph;

namespace StepUp.Engine.Planning;

/// <summary>One evaluated MSBuild item as the task sent it: type, Include, metadata and location.</summary>
public sealed record ItemSpec(string ItemType, string Include, IReadOnlyDictionary<string, string> Metadata, SourceLocation Location)
{
    public string Meta(string name) =>
        Metadata.TryGetValue(name, out var value) ? value.Trim() : "";
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
