using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>The items frame as the engine's item records, each made as it is read.</summary>
static class ItemsReader
{
    /// <exception cref="ProtocolException">The frame is not an array of items.</exception>
    public static List<ItemSpec> Read(byte[] frame)
    {
        // The steps' locations live as long as the graph: one string per project file, not per item.
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        return ItemsFrame.Read(frame, item =>
        {
            if (!files.TryGetValue(item.File, out var file)) files.Add(item.File, file = item.File);
            return new ItemSpec(item.Type, item.Include, item.Meta, new SourceLocation(file, item.Line, item.Column));
        });
    }
}
