using StepUp.Protocol;

namespace StepUp.Tests.Protocol;

/// <summary>Frames: limits hold, and memory follows the bytes that arrive, not the length a peer claims.</summary>
[TestClass]
public sealed class FramingTests
{
    static MemoryStream Stream(params byte[][] parts) => new(parts.SelectMany(p => p).ToArray());

    static byte[] Header(uint n) => [(byte)n, (byte)(n >> 8), (byte)(n >> 16), (byte)(n >> 24)];

    [TestMethod]
    public void AHugeLengthWithLittleBehindIt_AllocatesLittle()
    {
        var stream = Stream(Header(500 * 1024 * 1024), new byte[10]);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.ThrowsExactly<EndOfStreamException>(() => Framing.Read(stream, ProtocolInfo.MaxItemsBytes));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsTrue(allocated < 1024 * 1024, $"A 500 MB length prefix with 10 bytes behind it allocated {allocated} bytes");
    }

    [TestMethod]
    public void AFrameOverTheLimit_IsRefusedBeforeItsBytesAreRead()
    {
        var stream = Stream(Header(ProtocolInfo.MaxRequestBytes + 1));
        var e = Assert.ThrowsExactly<ProtocolException>(() => Framing.Read(stream, ProtocolInfo.MaxRequestBytes));
        StringAssert.Contains(e.Message, "limit");
    }

    [TestMethod]
    public async Task AFrameThatArrivesInSmallPieces_IsReadWhole()
    {
        var payload = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var trickle = new TrickleStream(Stream(Header((uint)payload.Length), payload), 1000);
        var progress = 0;
        var read = await Framing.ReadAsync(trickle, ProtocolInfo.MaxItemsBytes, CancellationToken.None, () => progress++);
        CollectionAssert.AreEqual(payload, read);
        Assert.IsTrue(progress >= 300, "progress is told for every piece that arrives");
    }

    [TestMethod]
    public void TheEndBeforeAFrame_IsNull_InTheMiddle_IsAnError()
    {
        Assert.IsNull(Framing.Read(Stream(), 100));
        Assert.ThrowsExactly<EndOfStreamException>(() => Framing.Read(Stream(Header(5), [1, 2]), 100));
        Assert.ThrowsExactly<EndOfStreamException>(() => Framing.Read(Stream([1, 2]), 100));
    }

    [TestMethod]
    public void WrittenFramesReadBack()
    {
        var stream = new MemoryStream();
        Framing.Write(stream, [1, 2, 3]);
        Framing.Write(stream, []);
        stream.Position = 0;
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, Framing.Read(stream, 10));
        CollectionAssert.AreEqual(Array.Empty<byte>(), Framing.Read(stream, 10));
        Assert.IsNull(Framing.Read(stream, 10));
    }

    /// <summary>Gives at most a few bytes per read, as a slow socket does.</summary>
    sealed class TrickleStream(Stream inner, int most) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, most));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
