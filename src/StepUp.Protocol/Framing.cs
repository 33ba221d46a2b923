using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace StepUp.Protocol
{
    /// <summary>
    /// A frame is a 4-byte little-endian length and that many bytes (UTF-8 JSON, see
    /// <see cref="Messages"/>). Readers give a limit; memory follows the bytes that arrive, never the
    /// length a peer claims, so a large prefix with nothing behind it costs nothing.
    /// </summary>
    public static class Framing
    {
        const int FirstChunk = 64 * 1024;

        public static void Write(Stream stream, byte[] payload)
        {
            WriteUnflushed(stream, payload);
            stream.Flush();
        }

        public static void WriteUnflushed(Stream stream, byte[] payload)
        {
            stream.Write(Header(payload.Length), 0, 4);
            stream.Write(payload, 0, payload.Length);
        }

        public static async Task WriteAsync(Stream stream, byte[] payload, CancellationToken ct)
        {
            await stream.WriteAsync(Header(payload.Length), 0, 4, ct).ConfigureAwait(false);
            await stream.WriteAsync(payload, 0, payload.Length, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }

        /// <summary>Reads one frame; null when the other side closed the connection before it.</summary>
        /// <exception cref="ProtocolException">The frame is longer than <paramref name="maxBytes"/>.</exception>
        /// <exception cref="EndOfStreamException">The connection closed in the middle of the frame.</exception>
        public static byte[]? Read(Stream stream, int maxBytes) =>
            ReadCore(maxBytes, (buffer, offset, count) => Task.FromResult(stream.Read(buffer, offset, count)), null)
                .GetAwaiter().GetResult();

        /// <summary>
        /// Reads one frame without holding a thread; <paramref name="progress"/> runs whenever bytes
        /// arrive (to push back a stall timeout).
        /// </summary>
        public static Task<byte[]?> ReadAsync(Stream stream, int maxBytes, CancellationToken ct, Action? progress = null) =>
            ReadCore(maxBytes, (buffer, offset, count) => stream.ReadAsync(buffer, offset, count, ct), progress);

        static byte[] Header(int n) => new[] { (byte)n, (byte)(n >> 8), (byte)(n >> 16), (byte)(n >> 24) };

        static async Task<byte[]?> ReadCore(int maxBytes, Func<byte[], int, int, Task<int>> read, Action? progress)
        {
            var header = new byte[4];
            if (!await Fill(read, header, 0, 4, progress, endIsFine: true).ConfigureAwait(false)) return null;
            var length = (uint)(header[0] | header[1] << 8 | header[2] << 16 | header[3] << 24);
            if (length > (uint)maxBytes)
                throw new ProtocolException("a frame of " + length + " bytes is larger than the limit of " + maxBytes + " bytes");
            var n = (int)length;
            var buffer = new byte[Math.Min(n, FirstChunk)];
            var done = 0;
            while (true)
            {
                await Fill(read, buffer, done, buffer.Length - done, progress, endIsFine: false).ConfigureAwait(false);
                done = buffer.Length;
                if (done == n) return buffer;
                Array.Resize(ref buffer, (int)Math.Min(n, 2L * buffer.Length));
            }
        }

        static async Task<bool> Fill(Func<byte[], int, int, Task<int>> read, byte[] buffer, int offset, int count, Action? progress, bool endIsFine)
        {
            var done = 0;
            while (done < count)
            {
                var got = await read(buffer, offset + done, count - done).ConfigureAwait(false);
                if (got == 0)
                {
                    if (endIsFine && done == 0) return false;
                    throw new EndOfStreamException("The connection closed in the middle of a message.");
                }
                done += got;
                progress?.Invoke();
            }
            return true;
        }
    }
}
