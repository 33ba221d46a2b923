using System.Text.Json;

namespace StepUp.Tests.Cli;

/// <summary>
/// JSON as plain values for the fakes and their assertions: null, bool, long, double, string,
/// List&lt;object?&gt; and Dictionary&lt;string, object?&gt; (in field order).
/// </summary>
static class TestJson
{
    public static string Write(object? value) => JsonSerializer.Serialize(value);

    public static object? Parse(string text) => Parse(JsonDocument.Parse(text).RootElement);

    public static object? Parse(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return Parse(document.RootElement);
    }

    static object? Parse(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (map, p) =>
        {
            map[p.Name] = Parse(p.Value);
            return map;
        }),
        JsonValueKind.Array => e.EnumerateArray().Select(Parse).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
