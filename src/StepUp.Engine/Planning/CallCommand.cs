using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StepUp.Engine.Planning;

/// <summary>
/// The command of StepUp's call protocol, as the Python client's call() writes it:
/// <c>./work.py FUNCTION '{"key": value, ..., "inp": [...], "out": [...]}'</c>: the arguments, then
/// <c>inp</c> and <c>out</c> when not empty, in Python's JSON spelling (", " and ": ", non-ASCII
/// as \u escapes), so that the same call planned from plan.py or from a .stepproj is the same step.
/// </summary>
public static class CallCommand
{
    /// <summary>The largest inline JSON, as in StepUp (an arguments file is the way beyond it).</summary>
    public const int MaxJsonBytes = 128 * 1024;

    /// <returns>The command, or null with <paramref name="problem"/> when the arguments are not a JSON object.</returns>
    public static string? Build(string executable, string function, string args, IReadOnlyList<string> inp, IReadOnlyList<string> @out, out string? problem)
    {
        problem = null;
        var json = new StringBuilder("{");
        var first = true;
        void Key(string name)
        {
            if (!first) json.Append(", ");
            first = false;
            WriteString(json, name);
            json.Append(": ");
        }
        if (args.Trim().Length > 0)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(args);
            }
            catch (JsonException e)
            {
                problem = "is not JSON (" + e.Message + ")";
                return null;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    problem = "is not a JSON object of keyword arguments";
                    return null;
                }
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name is "inp" or "out")
                    {
                        problem = "names '" + property.Name + "': give it as the item's " + (property.Name == "inp" ? "Inp" : "Out");
                        return null;
                    }
                    Key(property.Name);
                    Write(json, property.Value);
                }
            }
        }
        foreach (var (name, paths) in new[] { ("inp", inp), ("out", @out) })
        {
            if (paths.Count == 0) continue;
            Key(name);
            json.Append('[');
            for (var i = 0; i < paths.Count; i++)
            {
                if (i > 0) json.Append(", ");
                WriteString(json, paths[i]);
            }
            json.Append(']');
        }
        json.Append('}');
        var text = json.ToString();
        if (Encoding.UTF8.GetByteCount(text) > MaxJsonBytes)
        {
            problem = "make a JSON text over " + MaxJsonBytes / 1024 + " KiB";
            return null;
        }
        return ShellQuote.Quote(executable) + " " + function + " " + ShellQuote.Quote(text);
    }

    static void Write(StringBuilder json, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteSeparated(json, '{', value.EnumerateObject(), '}', property =>
                {
                    WriteString(json, property.Name);
                    json.Append(": ");
                    Write(json, property.Value);
                });
                break;
            case JsonValueKind.Array:
                WriteSeparated(json, '[', value.EnumerateArray(), ']', item => Write(json, item));
                break;
            case JsonValueKind.String:
                WriteString(json, value.GetString()!);
                break;
            default:
                json.Append(value.GetRawText());
                break;
        }
    }

    /// <summary>The members of an object or array between its brackets, ", " between them as Python's json.dumps writes them.</summary>
    static void WriteSeparated<T>(StringBuilder json, char open, IEnumerable<T> members, char close, Action<T> write)
    {
        json.Append(open);
        var first = true;
        foreach (var member in members)
        {
            if (!first) json.Append(", ");
            first = false;
            write(member);
        }
        json.Append(close);
    }

    /// <summary>A JSON string as Python's json.dumps writes it (ensure_ascii).</summary>
    static void WriteString(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else json.Append(c);
                    break;
            }
        }
        json.Append('"');
    }

    /// <summary>A function name of the call protocol: a Python identifier.</summary>
    public static bool IsFunctionName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
