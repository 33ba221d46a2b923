using System;
using System.Collections.Generic;
using System.Linq;

namespace StepUp.Tasks
{
    /// <summary>
    /// Metadata that StepUp does not read, written on a StepUp item: most often a typo (Inpt for Inp)
    /// that would otherwise leave a step silently stale. Each is named with the closest known name.
    /// </summary>
    static class UnknownMetadata
    {
        /// <summary>MSBuild's well-known item metadata: never a typo of the user's.</summary>
        static readonly HashSet<string> WellKnown = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "FullPath", "RootDir", "Filename", "Extension", "RelativeDir", "Directory", "RecursiveDir",
            "Identity", "ModifiedTime", "CreatedTime", "AccessedTime", "DefiningProjectFullPath",
            "DefiningProjectDirectory", "DefiningProjectName", "DefiningProjectExtension",
        };

        /// <summary>The names each StepUp item type reads, as MSBuild compares metadata names: without case.</summary>
        static readonly Dictionary<string, HashSet<string>> Known = Contract.ItemMetadata.ToDictionary(
            pair => pair.Key, pair => new HashSet<string>(pair.Value, StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal);

        /// <summary>Whether StepUp ignores this metadata on an item of this StepUp item type.</summary>
        public static bool IsUnknown(string itemType, string name) =>
            Known.TryGetValue(itemType, out var known) && !known.Contains(name) && !WellKnown.Contains(name);

        /// <summary>The warning text for each written name that StepUp does not read (<see cref="IsUnknown"/>), with where it is written.</summary>
        public static IEnumerable<(WrittenMetadata Where, string Text)> Find(IEnumerable<WrittenMetadata> written)
        {
            foreach (var metadata in written)
            {
                if (!IsUnknown(metadata.ItemType, metadata.Name)) continue;
                var known = Contract.ItemMetadata[metadata.ItemType];
                var item = metadata.Include.Length > 0 ? "<" + metadata.ItemType + "> '" + metadata.Include + "'" : "A <" + metadata.ItemType + ">";
                var closest = Closest(metadata.Name, known);
                var hint = closest != null
                    ? "did you mean '" + closest + "'?"
                    : known.Length > 0 ? "it knows " + string.Join(", ", known) : "it takes no metadata";
                yield return (metadata, item + " has metadata '" + metadata.Name + "', which StepUp does not read (" + hint + "); it is ignored.");
            }
        }

        /// <summary>The known name fewest edits away, when it is near enough to be what was meant.</summary>
        static string? Closest(string name, string[] known)
        {
            string? best = null;
            var bestDistance = int.MaxValue;
            foreach (var candidate in known)
            {
                var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            return best != null && bestDistance <= Math.Max(1, Math.Min(name.Length, best.Length) / 3 + 1) ? best : null;
        }

        /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit.</summary>
        static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
