using StepUp.Engine.Graph;
using StepUp.Engine.Planning;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>The items frame as the engine's item records, each made as it is read.</summary>
static class ItemsReader
{
    /// <exception cref="ProtocolException">The frame is not an array of items.</exception>
    public static List<ItemSpec> Read(byte[] frame) =>
        ItemsFrame.Read(frame, item => new ItemSpec(item.Type, item.Include, item.Meta, new SourceLocation(item.File, item.Line, item.Column)));
}
