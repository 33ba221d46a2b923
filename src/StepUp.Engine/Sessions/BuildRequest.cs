using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Sessions;

/// <summary>Everything one `dotnet build` sends: the items, the environment and the StepUp* properties.</summary>
public sealed class BuildRequest
{
    public required IReadOnlyList<ItemSpec> Items { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public BuildOptions Options { get; init; } = new();
}
