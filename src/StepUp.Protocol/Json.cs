using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace StepUp.Protocol
{
    /// <summary>
    /// A small JSON reader and writer. The task must run in any MSBuild without third-party
    /// assemblies, so the wire format is plain JSON handled here.
    /// Values: null, bool, long, double, string, List&lt;object?&gt;, Dictionary&lt;string, object?&gt;.
    /// </summary>
    public static class Json
    {
        public static string Write(object? value)
        {
            var sb = new StringBuilder();
            Write(sb, value);
            return sb.ToString();
        }

        public static void Write(StringBuilder sb, object? value)
        {
            switch (value)
            {
                case null: sb.Append("null"); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case string s: WriteString(sb, s); break;
                case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: sb.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
                case IDictionary<string, object?> map:
                    sb.Append('{');
                    var first = true;
                    foreach (var kv in map)
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        WriteString(sb, kv.Key);
                        sb.Append(':');
                        Write(sb, kv.Value);
                    }
                    sb.Append('}');
                    break;
                case System.Collections.IEnumerable list:
                    sb.Append('[');
                    var firstL = true;
                    foreach (var item in list)
                    {
                        if (!firstL) sb.Append(',');
                        firstL = false;
                        Write(sb, item);
                    }
                    sb.Append(']');
                    break;
                default:
                    throw new ArgumentException("Cannot write " + value.GetType() + " as JSON.");
            }
        }

        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        public static object? Parse(string text)
        {
            var reader = new Reader(text);
            reader.SkipWhite();
            var value = reader.ReadValue();
            reader.SkipWhite();
            if (reader.Pos != text.Length) throw new FormatException("Trailing characters in JSON.");
            return value;
        }

        sealed class Reader
        {
            readonly string _s;
            public int Pos;
            public Reader(string s) { _s = s; }

            public void SkipWhite()
            {
                while (Pos < _s.Length && char.IsWhiteSpace(_s[Pos])) Pos++;
            }

            char Peek() => Pos < _s.Length ? _s[Pos] : throw new FormatException("Unexpected end of JSON.");

            public object? ReadValue()
            {
                var c = Peek();
                switch (c)
                {
                    case '{': return ReadObject();
                    case '[': return ReadArray();
                    case '"': return ReadString();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default: return ReadNumber();
                }
            }

            void Expect(string word)
            {
                if (string.CompareOrdinal(_s, Pos, word, 0, word.Length) != 0) throw new FormatException("Bad JSON literal at " + Pos);
                Pos += word.Length;
            }

            Dictionary<string, object?> ReadObject()
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                Pos++;
                SkipWhite();
                if (Peek() == '}') { Pos++; return map; }
                while (true)
                {
                    SkipWhite();
                    var key = ReadString();
                    SkipWhite();
                    if (Peek() != ':') throw new FormatException("Expected ':' at " + Pos);
                    Pos++;
                    SkipWhite();
                    map[key] = ReadValue();
                    SkipWhite();
                    var c = Peek();
                    Pos++;
                    if (c == '}') return map;
                    if (c != ',') throw new FormatException("Expected ',' or '}' at " + Pos);
                }
            }

            List<object?> ReadArray()
            {
                var list = new List<object?>();
                Pos++;
                SkipWhite();
                if (Peek() == ']') { Pos++; return list; }
                while (true)
                {
                    SkipWhite();
                    list.Add(ReadValue());
                    SkipWhite();
                    var c = Peek();
                    Pos++;
                    if (c == ']') return list;
                    if (c != ',') throw new FormatException("Expected ',' or ']' at " + Pos);
                }
            }

            string ReadString()
            {
                if (Peek() != '"') throw new FormatException("Expected string at " + Pos);
                Pos++;
                var start = Pos;
                // Fast path: no escapes.
                while (Pos < _s.Length && _s[Pos] != '"' && _s[Pos] != '\\') Pos++;
                if (Pos < _s.Length && _s[Pos] == '"') { var plain = _s.Substring(start, Pos - start); Pos++; return plain; }
                var sb = new StringBuilder(_s, start, Pos - start, Pos - start + 16);
                while (true)
                {
                    var c = Peek();
                    Pos++;
                    if (c == '"') return sb.ToString();
                    if (c != '\\') { sb.Append(c); continue; }
                    var e = Peek();
                    Pos++;
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (Pos + 4 > _s.Length) throw new FormatException("Bad \\u escape.");
                            sb.Append((char)int.Parse(_s.Substring(Pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            Pos += 4;
                            break;
                        default: throw new FormatException("Bad escape at " + Pos);
                    }
                }
            }

            object ReadNumber()
            {
                var start = Pos;
                while (Pos < _s.Length && "+-0123456789.eE".IndexOf(_s[Pos]) >= 0) Pos++;
                var text = _s.Substring(start, Pos - start);
                if (text.Length == 0) throw new FormatException("Unexpected character in JSON at " + start);
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
                return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Typed access to a parsed JSON object.</summary>
    public static class JsonAccess
    {
        public static string? Str(this IDictionary<string, object?> map, string key) =>
            map.TryGetValue(key, out var v) ? v as string : null;

        public static long Long(this IDictionary<string, object?> map, string key, long fallback = 0) =>
            map.TryGetValue(key, out var v) && v is long l ? l : map.TryGetValue(key, out var d) && d is double dd ? (long)dd : fallback;

        public static bool Bool(this IDictionary<string, object?> map, string key, bool fallback = false) =>
            map.TryGetValue(key, out var v) && v is bool b ? b : fallback;

        public static IDictionary<string, object?>? Obj(this IDictionary<string, object?> map, string key) =>
            map.TryGetValue(key, out var v) ? v as IDictionary<string, object?> : null;

        public static List<object?> List(this IDictionary<string, object?> map, string key) =>
            map.TryGetValue(key, out var v) && v is List<object?> l ? l : new List<object?>();

        public static List<string> Strings(this IDictionary<string, object?> map, string key)
        {
            var result = new List<string>();
            foreach (var item in map.List(key)) if (item is string s) result.Add(s);
            return result;
        }
    }
}
