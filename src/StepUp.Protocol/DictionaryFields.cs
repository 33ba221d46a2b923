using System.Collections.Generic;

namespace StepUp.Protocol
{
    /// <summary>
    /// Typed access to a step call in the dictionary form the engine's step-API handler still takes
    /// (the director converts each <see cref="StepCall"/> to it in one place, StepCallBridge). Goes
    /// when the engine takes the typed calls.
    /// </summary>
    public static class DictionaryFields
    {
        public static string? Str(this IDictionary<string, object?> map, string key) =>
            map.TryGetValue(key, out var v) ? v as string : null;

        public static bool Bool(this IDictionary<string, object?> map, string key, bool fallback = false) =>
            map.TryGetValue(key, out var v) && v is bool b ? b : fallback;

        public static List<string> Strings(this IDictionary<string, object?> map, string key)
        {
            var result = new List<string>();
            if (map.TryGetValue(key, out var v) && v is List<object?> list)
                foreach (var item in list) if (item is string s) result.Add(s);
            return result;
        }
    }
}
