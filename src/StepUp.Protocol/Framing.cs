using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace StepUp.Protocol
{
    /// <summary>
    /// Messages are JSON objects, each sent as a 4-byte little-endian length and UTF-8 text.
    /// </summary>
    public static class Framing
    {
        public const int MaxFrame = 512 * 1024 * 1024;
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        public static void WriteMessage(Stream stream, Dictionary<string, object?> message)
        {
            WriteMessageUnflushed(stream, message);
            stream.Flush();
        }

        public static void WriteMessageUnflushed(Stream stream, Dictionary<string, object?> message)
        {
            var payload = Utf8.GetBytes(Json.Write(message));
            var frame = new byte[4 + payload.Length];
            var n = payload.Length;
            frame[0] = (byte)n; frame[1] = (byte)(n >> 8); frame[2] = (byte)(n >> 16); frame[3] = (byte)(n >> 24);
            Buffer.BlockCopy(payload, 0, frame, 4, payload.Length);
            stream.Write(frame, 0, frame.Length);
        }

        /// <summary>Sends UTF-8 JSON text that is already serialized, as one frame.</summary>
        public static void WriteRawFrame(Stream stream, byte[] payload)
        {
            var n = payload.Length;
            stream.Write(new[] { (byte)n, (byte)(n >> 8), (byte)(n >> 16), (byte)(n >> 24) }, 0, 4);
            stream.Write(payload, 0, n);
            stream.Flush();
        }

        /// <summary>Reads one frame's bytes; null when the other side closed the connection.</summary>
        public static byte[]? ReadRawFrame(Stream stream)
        {
            var header = new byte[4];
            if (!ReadExactly(stream, header, 4)) return null;
            var n = header[0] | header[1] << 8 | header[2] << 16 | header[3] << 24;
            if (n < 0 || n > MaxFrame) throw new InvalidDataException("Frame of " + n + " bytes is not allowed.");
            var payload = new byte[n];
            if (!ReadExactly(stream, payload, n)) throw new EndOfStreamException("Connection closed in the middle of a message.");
            return payload;
        }

        public static object? ParseFrame(byte[] payload) => Json.Parse(Utf8.GetString(payload, 0, payload.Length));

        /// <summary>Reads one message; null when the other side closed the connection.</summary>
        public static Dictionary<string, object?>? ReadMessage(Stream stream)
        {
            var payload = ReadRawFrame(stream);
            if (payload == null) return null;
            if (!(ParseFrame(payload) is Dictionary<string, object?> parsed)) throw new InvalidDataException("A message must be a JSON object.");
            return parsed;
        }

        static bool ReadExactly(Stream stream, byte[] buffer, int count)
        {
            var done = 0;
            while (done < count)
            {
                var read = stream.Read(buffer, done, count - done);
                if (read == 0)
                {
                    if (done == 0) return false;
                    throw new EndOfStreamException("Connection closed in the middle of a message.");
                }
                done += read;
            }
            return true;
        }
    }
}
