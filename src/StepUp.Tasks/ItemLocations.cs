using System;
using System.Collections.Generic;
using System.IO;
using System.Xml;

namespace StepUp.Tasks
{
    /// <summary>
    /// Finds the file and line of each Step, Static, Script, Call, Global and Plan item. MSBuild does not give tasks
    /// item locations, so the defining project file is read once with line information, and the
    /// n-th item with a given type and Include gets the n-th element written that way.
    /// </summary>
    sealed class ItemLocations
    {
        readonly Dictionary<string, Queue<(int line, int column)>> _byKey = new Dictionary<string, Queue<(int, int)>>(StringComparer.Ordinal);
        readonly string _file;

        ItemLocations(string file) { _file = file; }

        public static ItemLocations Read(string file)
        {
            var result = new ItemLocations(file);
            try
            {
                using (var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }))
                {
                    var info = (IXmlLineInfo)reader;
                    while (reader.Read())
                    {
                        if (reader.NodeType != XmlNodeType.Element) continue;
                        var name = reader.LocalName;
                        if (name != "Step" && name != "Static" && name != "Script" && name != "Call" && name != "Global" && name != "Plan") continue;
                        var include = reader.GetAttribute("Include");
                        if (include == null) continue;
                        var key = name + "|" + include.Trim();
                        if (!result._byKey.TryGetValue(key, out var queue)) result._byKey[key] = queue = new Queue<(int, int)>();
                        queue.Enqueue((info.LineNumber, info.LinePosition - 1));
                    }
                }
            }
            catch (IOException) { }
            catch (XmlException) { }
            return result;
        }

        /// <summary>The location of the next item of this type and Include, or the file alone.</summary>
        public (string file, int line, int column) Take(string itemType, string include)
        {
            if (_byKey.TryGetValue(itemType + "|" + include.Trim(), out var queue) && queue.Count > 0)
            {
                var (line, column) = queue.Dequeue();
                return (_file, line, column);
            }
            return (_file, 0, 0);
        }
    }
}
