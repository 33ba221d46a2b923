using StepUp.Engine.Building;

namespace StepUp.Engine.Sessions;

/// <summary>Everything one `dotnet build` sends: the items, the environment and the StepUp* properties.</summary>
public sealed class BuildRequest
{
    IReadOnlyList<ItemSpec>? _items;
    Func<IReadOnlyList<ItemSpec>>? _parseItems;
    bool _itemsTaken;

    /// <summary>The items, when already parsed.</summary>
    public IReadOnlyList<ItemSpec>? Items { get => _items; init => _items = value; }

    /// <summary>Parses the items on demand: an unchanged project is not parsed at all.</summary>
    public Func<IReadOnlyList<ItemSpec>>? ParseItems { get => _parseItems; init => _parseItems = value; }

    /// <summary>A digest of the items as sent; empty when unknown. Equal digests mean an equal plan.</summary>
    public string ItemsFingerprint { get; init; } = "";

    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public BuildOptions Options { get; init; } = new();

    /// <summary>
    /// The request serves one build after another (StepUpWatch), each of which may plan again: it
    /// keeps the means to give its items each time (the frame to parse, not the parsed items).
    /// </summary>
    public bool Repeated { get; init; }

    /// <summary>
    /// The items, parsed if need be, handed over once: the request lets go of them and of the frame
    /// they were read from, so that a build of 100,000 steps does not carry its items to the end.
    /// A <see cref="Repeated"/> request hands them over each time, parsed again from its frame.
    /// </summary>
    public IReadOnlyList<ItemSpec> TakeItems()
    {
        if (_itemsTaken) throw new InvalidOperationException("The items of a build request are taken once.");
        var items = _items ?? _parseItems?.Invoke() ?? Array.Empty<ItemSpec>();
        if (Repeated)
        {
            if (_parseItems != null) _items = null;
            return items;
        }
        _itemsTaken = true;
        _items = null;
        _parseItems = null;
        return items;
    }
}
