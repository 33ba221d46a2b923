using System.Text;
using StepUp.Protocol;

namespace StepUp.Cli;

/// <summary>JSON with one item a line and two-space indentation, for people to read.</summary>
static class PrettyJson
{
    public static string Write(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value, 0);
        return sb.ToString();
    }

    static void Write(StringBuilder sb, object? value, int depth)
    {
        switch (value)
        {
            case IDictionary<string, object?> map when map.Count > 0:
                sb.Append("{\n");
                var first = true;
                foreach (var (key, item) in map)
                {
                    if (!first) sb.Append(",\n");
                    first = false;
                    Indent(sb, depth + 1);
                    Json.Write(sb, key);
                    sb.Append(": ");
                    Write(sb, item, depth + 1);
                }
                sb.Append('\n');
                Indent(sb, depth);
                sb.Append('}');
                break;
            case List<object?> list when list.Count > 0:
                sb.Append("[\n");
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(",\n");
                    Indent(sb, depth + 1);
                    Write(sb, list[i], depth + 1);
                }
                sb.Append('\n');
                Indent(sb, depth);
                sb.Append(']');
                break;
            default:
                Json.Write(sb, value);
                break;
        }
    }

    static void Indent(StringBuilder sb, int depth) => sb.Append(' ', 2 * depth);
}
