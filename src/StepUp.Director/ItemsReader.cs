using System.Text.Json;
using StepUp.Engine.Graph;
using StepUp.Engine.Planning;

namespace StepUp.Director;

/// <summary>
/// Reads the items frame straight into item records, without a JSON tree in between: for 100,000
/// steps the tree alone would cost more memory than the graph.
/// </summary>
static class ItemsReader
{
    public static List<ItemSpec> Read(byte[] frame)
    {
        var items = new List<ItemSpec>();
        var reader = new Utf8JsonReader(frame);
        Expect(ref reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string type = "", include = "", file = "";
            int line = 0, column = 0;
            var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "type": type = reader.GetString() ?? ""; break;
                    case "include": include = reader.GetString() ?? ""; break;
                    case "file": file = reader.GetString() ?? ""; break;
                    case "line": line = reader.GetInt32(); break;
                    case "column": column = reader.GetInt32(); break;
                    case "meta":
                        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("meta must be an object");
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var key = reader.GetString()!;
                            reader.Read();
                            meta[key] = reader.GetString() ?? "";
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            items.Add(new ItemSpec(type, include, meta, new SourceLocation(file, line, column)));
        }
        return items;
    }

    static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type) throw new JsonException($"expected {type} in the items frame");
    }
}
