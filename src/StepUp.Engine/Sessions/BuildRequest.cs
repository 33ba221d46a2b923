using StepUp.Engine.Building;
using StepUp.Engine.Planning;

namespace StepUp.Engine.Sessions;

/// <summary>Everything one `dotnet build` sends: the items, the environment and the StepUp* properties.</summary>
public sealed class BuildRequest
{
    /// <summary>The items, when already parsed.</summary>
    public IReadOnlyList<ItemSpec>? Items { get; init; }

    /// <summary>Parses the items on demand: an unchanged project is not parsed at all.</summary>
    public Func<IReadOnlyList<ItemSpec>>? ParseItems { get; init; }

    /// <summary>A digest of the items as sent; empty when unknown. Equal digests mean an equal plan.</summary>
    public string ItemsFingerprint { get; init; } = "";

    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public BuildOptions Options { get; init; } = new();

    public IReadOnlyList<ItemSpec> GetItems() => Items ?? ParseItems?.Invoke() ?? Array.Empty<ItemSpec>();
}
