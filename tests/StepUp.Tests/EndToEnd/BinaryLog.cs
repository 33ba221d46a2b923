using System.IO.Compression;

namespace StepUp.Tests.EndToEnd;

/// <summary>Reads the files that a binary log (<c>-bl</c>) embeds, as the MSBuild Structured Log Viewer shows them.</summary>
static class BinaryLog
{
    static readonly byte[] EndOfCentralDirectory = [(byte)'P', (byte)'K', 5, 6];

    /// <summary>Each embedded file's path (with '/' separators) and its text.</summary>
    public static IReadOnlyDictionary<string, string> EmbeddedFiles(string binlog)
    {
        byte[] data;
        using (var gzip = new GZipStream(File.OpenRead(binlog), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            data = buffer.ToArray();
        }
        // The log is a gzip stream of records; one record holds the embedded files as a zip archive,
        // which its end-of-central-directory record locates.
        for (var end = LastIndexOf(data, EndOfCentralDirectory, data.Length); end >= 0; end = LastIndexOf(data, EndOfCentralDirectory, end))
        {
            if (end + 22 > data.Length) continue;
            long directorySize = BitConverter.ToUInt32(data, end + 12);
            long directoryOffset = BitConverter.ToUInt32(data, end + 16);
            var commentLength = BitConverter.ToUInt16(data, end + 20);
            var start = end - directorySize - directoryOffset;
            var length = end + 22 + commentLength - start;
            if (start < 0 || start + length > data.Length) continue;
            try
            {
                using var zip = new ZipArchive(new MemoryStream(data, (int)start, (int)length), ZipArchiveMode.Read);
                var files = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in zip.Entries)
                {
                    using var reader = new StreamReader(entry.Open());
                    files[entry.FullName.Replace('\\', '/')] = reader.ReadToEnd();
                }
                return files;
            }
            catch (InvalidDataException) { }
        }
        return new Dictionary<string, string>();
    }

    static int LastIndexOf(byte[] data, byte[] pattern, int before)
    {
        for (var i = Math.Min(before, data.Length) - pattern.Length; i >= 0; i--)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++) match = data[i + j] == pattern[j];
            if (match) return i;
        }
        return -1;
    }

    /// <summary>The text of the embedded file whose path ends with <paramref name="path"/> (an absolute path on this machine), or null.</summary>
    public static string? Find(IReadOnlyDictionary<string, string> files, string path)
    {
        var wanted = path.Replace('\\', '/').TrimStart('/');
        return files.FirstOrDefault(f => f.Key.TrimStart('/').Equals(wanted, StringComparison.Ordinal)).Value;
    }
}
