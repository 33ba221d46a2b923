using System;
using System.Collections.Generic;
using System.IO;
using System.Xml;

namespace StepUp.Tasks
{
    /// <summary>
    /// Finds the file and line of each Step, Static, Script, Call, Global and Plan item. MSBuild does not give tasks
    /// item locations, so the defining project file is read once with line information, and the
    /// n-th item with a given type and Include gets the n-th element written that way. The same pass
    /// notes the metadata written on each such element (attributes and child elements) that StepUp does
    /// not read, for <see cref="UnknownMetadata"/>: what the file says, not what item definitions or transforms added.
    /// </summary>
    sealed class ItemLocations
    {
        readonly Dictionary<string, Queue<(int line, int column)>> _byKey = new Dictionary<string, Queue<(int, int)>>(StringComparer.Ordinal);
        readonly List<WrittenMetadata> _written = new List<WrittenMetadata>();

        ItemLocations(string file) { File = file; }

        public string File { get; }

        /// <summary>Every metadata name written on an item element of a StepUp item type in this file that StepUp does not read.</summary>
        public IReadOnlyList<WrittenMetadata> Written => _written;

        public static ItemLocations Read(string file)
        {
            var result = new ItemLocations(file);
            try
            {
                using (var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }))
                {
                    var info = (IXmlLineInfo)reader;
                    // The element that is open at each depth: metadata are the children of an item element.
                    var open = new List<string>();
                    string? item = null, include = null;
                    var itemDepth = -1;
                    while (reader.Read())
                    {
                        if (reader.NodeType != XmlNodeType.Element) continue;
                        var depth = reader.Depth;
                        if (open.Count > depth) open.RemoveRange(depth, open.Count - depth);
                        open.Add(reader.LocalName);
                        if (itemDepth >= 0 && depth <= itemDepth) itemDepth = -1;
                        if (itemDepth >= 0 && depth == itemDepth + 1)
                        {
                            if (UnknownMetadata.IsUnknown(item!, reader.LocalName))
                                result._written.Add(new WrittenMetadata(item!, include ?? "", reader.LocalName, info.LineNumber, info.LinePosition - 1));
                            continue;
                        }
                        var name = reader.LocalName;
                        if (depth == 0 || open[depth - 1] != "ItemGroup" || !Contract.ItemMetadata.ContainsKey(name)) continue;
                        var line = info.LineNumber;
                        var column = info.LinePosition - 1;
                        include = reader.GetAttribute("Include") ?? reader.GetAttribute("Update");
                        item = name;
                        if (!reader.IsEmptyElement) itemDepth = depth;
                        while (reader.MoveToNextAttribute())
                            if (!ItemAttributes.Contains(reader.LocalName) && reader.Prefix.Length == 0 && UnknownMetadata.IsUnknown(name, reader.LocalName))
                                result._written.Add(new WrittenMetadata(name, include ?? "", reader.LocalName, info.LineNumber, info.LinePosition));
                        reader.MoveToElement();
                        if (reader.GetAttribute("Include") is string included)
                        {
                            var key = name + "|" + included.Trim();
                            if (!result._byKey.TryGetValue(key, out var queue)) result._byKey[key] = queue = new Queue<(int, int)>();
                            queue.Enqueue((line, column));
                        }
                    }
                }
            }
            catch (IOException) { }
            catch (XmlException) { }
            return result;
        }

        /// <summary>The attributes MSBuild itself reads on an item element; every other one is metadata.</summary>
        static readonly HashSet<string> ItemAttributes = new HashSet<string>(StringComparer.Ordinal)
        {
            "Include", "Exclude", "Remove", "Update", "Condition", "Label", "KeepMetadata", "RemoveMetadata",
            "KeepDuplicates", "MatchOnMetadata", "MatchOnMetadataOptions",
        };

        /// <summary>The location of the next item of this type and Include, or the file alone.</summary>
        public (string file, int line, int column) Take(string itemType, string include)
        {
            if (_byKey.TryGetValue(itemType + "|" + include.Trim(), out var queue) && queue.Count > 0)
            {
                var (line, column) = queue.Dequeue();
                return (File, line, column);
            }
            return (File, 0, 0);
        }
    }

    /// <summary>A metadata name as written on an item element, with its place in the file.</summary>
    sealed class WrittenMetadata(string itemType, string include, string name, int line, int column)
    {
        public string ItemType { get; } = itemType;
        public string Include { get; } = include;
        public string Name { get; } = name;
        public int Line { get; } = line;
        public int Column { get; } = column;
    }
}
